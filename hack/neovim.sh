#!/usr/bin/env bash
# Installs Neovim from Debian's package when nvim is missing: the editor
# whose built-in LSP client internal/cli's TestLspNeovim drives, headless,
# against the real `vmhealth lsp`. Debian 12 ships Neovim 0.7, so the test
# uses the 0.7 API (vim.lsp.start_client). Needs root (or sudo) for
# apt-get. Set VMHEALTH_NVIM=0 to skip.
set -euo pipefail

main() {
	log() { printf 'neovim: %s\n' "$*" >&2; }
	if [[ "${VMHEALTH_NVIM:-}" == 0 ]]; then
		log "VMHEALTH_NVIM=0: not installing Neovim"
		exit 0
	fi
	if command -v nvim >/dev/null; then
		exit 0
	fi
	sudo=
	if [[ "$(id -u)" != 0 ]]; then
		command -v sudo >/dev/null || { log "needs root or sudo for apt-get"; exit 1; }
		sudo=sudo
	fi
	log "installing neovim with apt-get"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends neovim >&2
	nvim --version | head -1 >&2
}

main "$@"
