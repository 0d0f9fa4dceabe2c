# vmhealth: make build | test | lint | examples | bench | docs | release | clean
# Needs only Go (and, for make test, the module proxy to build the test
# API server once; see hack/README.md).

GO      ?= go
BIN     := bin/vmhealth
PKG     := github.com/vmhealth/vmhealth
# A release sets VERSION; otherwise a tag if there is one, else the version
# comes from the build information ("devel" for a local build).
VERSION ?= $(shell git describe --tags --dirty 2>/dev/null)
LDFLAGS := -X $(PKG)/internal/cli.version=$(VERSION) -X $(PKG)/internal/cli.commit=$(shell git rev-parse --short=12 HEAD 2>/dev/null)
# staticcheck at a pinned version, built by go run from the module proxy
# (cached after the first run); nothing to install by hand.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The packages whose code runs on several goroutines: the lint engine's
# worker pool and the cluster commands' workers.
RACE_PKGS := ./validate/ ./apply/

.PHONY: all build test test-guest lint examples bench docs release release-archives clean

all: build

# Static, as the release is: a cgo build exports every symbol (kustomize
# links Go's plugin package), which costs about 25 MB of resident memory
# and start-up time on every run (docs/performance.md).
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/vmhealth

# hack/testbin.sh builds kube-apiserver and etcd into .cache/testbin for the
# API-server tests (minutes the first time, then skipped while up to date).
# hack/guestimage.sh builds the Debian guest test/guest boots under QEMU
# into .cache/guest (about 4 minutes the first time, installing QEMU and
# debootstrap with apt-get when missing); VMHEALTH_GUEST=1 makes test/guest
# fail rather than skip without it, and the guest's boots under TCG need
# the long -timeout (see docs/guest.md). VMHEALTH_GUEST=0 skips both.
# hack/neovim.sh installs Neovim from Debian's package when nvim is
# missing (about 40 s once), for the editor test of vmhealth lsp
# (docs/lsp.md); VMHEALTH_NVIM=0 skips it.
# The benchmarks also run once each in short mode (-benchtime=1x on a small
# corpus), so they cannot rot; `make bench` runs them for real. Then `make
# lint`, so that CI runs staticcheck, go mod tidy -diff and the race
# detector too (cold: staticcheck analyses every dependency once, minutes).
# make test (and so CI) boots the guest: VMHEALTH_GUEST=1 builds the image
# and makes test/guest fail rather than skip without QEMU or the image
# (docs/guest.md). `make test-guest` runs the guest test alone.
VMHEALTH_GUEST ?= 1
export VMHEALTH_GUEST
test:
	@if [ -f hack/testbin.sh ]; then bash hack/testbin.sh; fi
	@if [ -f hack/neovim.sh ]; then bash hack/neovim.sh; fi
	@if [ -f hack/guestimage.sh ]; then bash hack/guestimage.sh; fi
	$(GO) test -timeout 60m ./...
	$(GO) test -short -run '^$$' -bench . -benchtime=1x ./...
	@$(MAKE) --no-print-directory lint

# The real Debian guest under QEMU: builds the image once (.cache/guest),
# then boots it for each watchdog action (TCG here: tens of minutes).
test-guest:
	VMHEALTH_GUEST=1 bash hack/guestimage.sh
	VMHEALTH_GUEST=1 $(GO) test -v -timeout 60m ./test/guest/

# vet, gofmt, staticcheck, a go.mod and go.sum that go mod tidy would
# leave as they are, and the race detector on the concurrent packages
# (in short mode: the large generated corpora are skipped).
lint:
	$(GO) vet ./...
	@unformatted="$$(gofmt -l $$($(GO) list -e -f '{{.Dir}}' ./...))"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt needed on:"; echo "$$unformatted"; exit 1; \
	fi
	$(GO) mod tidy -diff
	$(GO) run $(STATICCHECK) ./...
	$(GO) test -race -short $(RACE_PKGS)

# The clean example must pass and the broken ones must be caught: lint exits
# 1 on findings, so 1 is success here and anything else (2: unreadable
# input) is not.
examples: build
	$(BIN) lint examples/good/
	$(BIN) lint examples/; test $$? -eq 1

# Go benchmarks of load, rules and whole lint against the go-yaml node-decode
# floor, the language server's diagnostics after a change, then the
# whole-binary comparison; writes docs/performance.md.
bench:
	@mkdir -p .cache
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./validate/ | tee .cache/bench.txt
	$(GO) test -run '^$$' -bench LspDidChange -benchmem -count 1 ./internal/lsp/ | tee .cache/bench-lsp.txt
	@if [ -f hack/testbin.sh ]; then bash hack/testbin.sh; fi
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./test/e2e/ | tee .cache/bench-cluster.txt
	$(GO) run ./internal/perfreport -bench .cache/bench.txt -cluster .cache/bench-cluster.txt -lsp .cache/bench-lsp.txt -o docs/performance.md

# Regenerates generated documentation: docs/rules.md from the rule registry.
docs:
	$(GO) generate ./...
	$(GO) test ./internal/rulesdoc -run '^TestRulesDoc$$' -update

# Release binaries: static (CGO_ENABLED=0), stripped (-s -w) and
# reproducible (-trimpath, an empty build ID, no VCS stamp), so the same
# commit gives the same bytes anywhere; one tar.gz a
# platform for krew and a SHA256SUMS file. The version is the tag on HEAD
# (git describe); without one it says so: devel-<commit>.
# The platforms build RELEASE_JOBS at a time, in one build cache: each go
# build is parallel already, but it leaves cores idle while it links and
# while a big package compiles alone, which a second build fills
# (docs/development.md, "Release build", has the figures). The bytes do not
# depend on the order or on what the cache held.
PLATFORMS    := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
RELEASE_JOBS ?= 2
DIST         := dist
COMMIT       := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
REL_VERSION  := $(or $(VERSION),devel-$(COMMIT))
RELFLAGS     := -s -w -buildid= -X $(PKG)/internal/cli.version=$(REL_VERSION) -X $(PKG)/internal/cli.commit=$(COMMIT)
ARCHIVES     := $(foreach p,$(PLATFORMS),$(DIST)/vmhealth-$(subst /,-,$(p)).tar.gz)

release:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@$(MAKE) --no-print-directory -j$(RELEASE_JOBS) --output-sync=target release-archives
	cd $(DIST) && sha256sum *.tar.gz > SHA256SUMS
	sed -e 's/@VERSION@/$(REL_VERSION)/g' hack/krew/vmhealth.yaml.in > $(DIST)/vmhealth.krew.yaml
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		sum=$$(grep " vmhealth-$$os-$$arch.tar.gz$$" $(DIST)/SHA256SUMS | cut -d' ' -f1); \
		sed -i "s/@SHA256_$${os}_$${arch}@/$$sum/" $(DIST)/vmhealth.krew.yaml; \
	done
	@echo "$(DIST)/: vmhealth $(REL_VERSION), $$(ls $(DIST)/*.tar.gz | wc -l) archives, SHA256SUMS, vmhealth.krew.yaml"

# One platform's archive, dist/vmhealth-OS-ARCH.tar.gz (make release runs
# these); tar and gzip without times, owners or names, for the same bytes.
release-archives: $(ARCHIVES)

$(DIST)/vmhealth-%.tar.gz:
	@set -e; os=$(word 1,$(subst -, ,$*)); arch=$(word 2,$(subst -, ,$*)); \
		ext=; [ $$os = windows ] && ext=.exe; dir=$(DIST)/vmhealth-$*; \
		echo "build $$os/$$arch"; mkdir -p $$dir; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=false \
			-ldflags '$(RELFLAGS)' -o $$dir/vmhealth$$ext ./cmd/vmhealth; \
		cp README.md $$dir/; \
		tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
			-C $(DIST) -cf $$dir.tar vmhealth-$*; \
		gzip -n -f $$dir.tar

clean:
	rm -rf bin/ $(DIST)/
