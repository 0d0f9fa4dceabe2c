# vmhealth: make build | test | lint | examples | bench | docs | clean
# Needs only Go (and, for make test, the module proxy to build the test
# API server once; see hack/README.md).

GO      ?= go
BIN     := bin/vmhealth
PKG     := github.com/vmhealth/vmhealth
# A release sets VERSION; otherwise a tag if there is one, else the version
# comes from the build information ("devel" for a local build).
VERSION ?= $(shell git describe --tags --dirty 2>/dev/null)
LDFLAGS := -X $(PKG)/internal/cli.version=$(VERSION)
# staticcheck at a pinned version, built by go run from the module proxy
# (cached after the first run); nothing to install by hand.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The packages whose code runs on several goroutines: the lint engine's
# worker pool and the cluster commands' workers.
RACE_PKGS := ./validate/ ./apply/

.PHONY: all build test lint examples bench docs clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/vmhealth

# hack/testbin.sh builds kube-apiserver and etcd into .cache/testbin for the
# API-server tests (minutes the first time, then skipped while up to date).
# hack/guestimage.sh builds the Debian guest test/guest boots under QEMU
# into .cache/guest (about 4 minutes the first time, installing QEMU and
# debootstrap with apt-get when missing); VMHEALTH_GUEST=1 makes test/guest
# fail rather than skip without it, and the guest's boots under TCG need
# the long -timeout (see docs/guest.md). VMHEALTH_GUEST=0 skips both.
# The benchmarks also run once each in short mode (-benchtime=1x on a small
# corpus), so they cannot rot; `make bench` runs them for real.
VMHEALTH_GUEST ?= 1
export VMHEALTH_GUEST
test:
	@if [ -f hack/testbin.sh ]; then bash hack/testbin.sh; fi
	@if [ -f hack/guestimage.sh ]; then bash hack/guestimage.sh; fi
	$(GO) test -timeout 60m ./...
	$(GO) test -short -run '^$$' -bench . -benchtime=1x ./...

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
# floor, then the whole-binary comparison; writes docs/performance.md.
bench:
	@mkdir -p .cache
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./validate/ | tee .cache/bench.txt
	@if [ -f hack/testbin.sh ]; then bash hack/testbin.sh; fi
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./test/e2e/ | tee .cache/bench-cluster.txt
	$(GO) run ./internal/perfreport -bench .cache/bench.txt -cluster .cache/bench-cluster.txt -o docs/performance.md

# Regenerates generated documentation: docs/rules.md from the rule registry.
docs:
	$(GO) generate ./...
	$(GO) test ./validate -run '^TestRulesDoc$$' -update

clean:
	rm -rf bin/
