#!/usr/bin/env bash
# Builds the kube-apiserver and etcd binaries used by internal/testenv into
# .cache/testbin/ (or $VMHEALTH_TESTBIN), from the versions pinned in
# hack/tools/go.mod. Needs only Go and the module proxy.
#
# The build is skipped when both binaries are present and a stamp file shows
# they were built from the same hack/tools/go.mod + go.sum and build recipe.
# A cold build takes several minutes (see hack/README.md); set
# VMHEALTH_TESTBIN_FORCE=1 to rebuild anyway.
set -euo pipefail

# Everything is inside main, which bash parses whole before running it: a
# build takes minutes, and bash reads a plain script as it goes, so editing
# (or checking out another version of) this file meanwhile would otherwise
# make the running copy execute garbage.
main() {
	root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
	tools="$root/hack/tools"
	out="${VMHEALTH_TESTBIN:-.cache/testbin}"
	# A relative VMHEALTH_TESTBIN is taken from the repository root, as
	# internal/testenv does.
	[[ "$out" == /* ]] || out="$root/$out"
	stamp="$out/.stamp"

	log() { printf 'testbin: %s\n' "$*" >&2; }

	command -v go >/dev/null || { log "go is not on PATH"; exit 1; }

	# Work on the tools module alone, whatever the caller's environment says.
	export GOWORK=off
	export CGO_ENABLED=0
	export GOFLAGS="${GOFLAGS:-} -mod=readonly"

	cd "$tools"
	kube_version="$(go list -m -f '{{.Version}}' k8s.io/kubernetes)"
	etcd_version="$(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"

	# Version information kube-apiserver reports at /version and in its flags
	# (the same variables Kubernetes' own release build sets).
	kube_minor="${kube_version#v*.}"
	kube_minor="${kube_minor%%.*}"
	kube_major="${kube_version#v}"
	kube_major="${kube_major%%.*}"
	vpkg=k8s.io/component-base/version
	ldflags="-s -w -X $vpkg.gitVersion=$kube_version -X $vpkg.gitMajor=$kube_major -X $vpkg.gitMinor=$kube_minor -X $vpkg.gitTreeState=clean"

	# Anything that changes the binaries belongs in the stamp.
	recipe="trimpath cgo=0 ldflags=[$ldflags] $(go env GOOS)/$(go env GOARCH)"
	want="$( { cat go.mod go.sum; printf '%s\n' "$recipe"; } | sha256sum | cut -d' ' -f1)"

	# internal/testenv compares tools.sum with hack/tools to refuse stale binaries.
	write_tools_sum() {
		cat go.mod go.sum | sha256sum | cut -d' ' -f1 >"$out/tools.sum"
	}

	mkdir -p "$out"
	# Two runs at once (say, two CI steps) would both build: let one wait.
	if command -v flock >/dev/null; then
		exec 9>"$out/.lock"
		flock 9
	fi

	if [[ "${VMHEALTH_TESTBIN_FORCE:-}" != 1 && -x "$out/kube-apiserver" && -x "$out/etcd" &&
		-f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
		log "kube-apiserver $kube_version and etcd $etcd_version in $out are up to date"
		write_tools_sum
		exit 0
	fi

	tmp="$(mktemp -d "$out/.build.XXXXXX")"
	ticker=
	cleanup() {
		[[ -z "$ticker" ]] || kill "$ticker" 2>/dev/null || true
		rm -rf "$tmp"
	}
	trap cleanup EXIT

	log "building kube-apiserver $kube_version and etcd $etcd_version into $out with $(go env GOVERSION)"
	log "a cold build takes 5-7 minutes on 2 cores (plus module downloads on a fresh machine)"
	start=$SECONDS
	# go build is silent for minutes; say that it is still working. The
	# ticker must not hold the lock (fd 9) or the caller's pipes open after
	# this script ends, hence the redirections.
	(
		t0=$(date +%s)
		s=
		trap '[[ -z "$s" ]] || kill "$s" 2>/dev/null; exit 0' TERM
		while :; do
			sleep 60 </dev/null >/dev/null 2>&1 &
			s=$!
			wait "$s"
			log "still compiling ($(($(date +%s) - t0))s)"
		done
	) 9>&- &
	ticker=$!
	# One go build for both programs lets the go command schedule all packages
	# together. With -o naming a directory, etcd's main package
	# (go.etcd.io/etcd/server/v3) comes out as "server".
	go build -trimpath -ldflags="$ldflags" -o "$tmp/" \
		k8s.io/kubernetes/cmd/kube-apiserver \
		go.etcd.io/etcd/server/v3
	kill "$ticker" 2>/dev/null || true
	ticker=
	mv "$tmp/server" "$tmp/etcd"

	"$tmp/kube-apiserver" --version >&2
	"$tmp/etcd" --version >&2

	rm -f "$stamp"
	mv -f "$tmp/kube-apiserver" "$out/kube-apiserver"
	mv -f "$tmp/etcd" "$out/etcd"
	printf '%s\n' "$want" >"$stamp"
	write_tools_sum
	log "done in $((SECONDS - start))s"
}

main "$@"
exit
