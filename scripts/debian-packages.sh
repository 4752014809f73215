#!/usr/bin/env bash
# debian-packages.sh [--with-recommends] TOOL=PACKAGES ...: install, in one apt-get run, the
# Debian packages (comma-separated) of each TOOL, a command or a file, that this machine does
# not have. Without recommended packages (chromium's would bring systemd and cups), unless
# --with-recommends (podman's runtime needs its own). No service starts (Debian's nginx would
# take port 80): a policy-rc.d denies starts for the install, unless the machine has one already.
# As root, or through sudo.
set -euo pipefail
recommends=(--no-install-recommends)
[ "${1:-}" = --with-recommends ] && { recommends=(); shift; }
packages=()
for arg; do
    command -v "${arg%%=*}" >/dev/null || [ -e "${arg%%=*}" ] && continue
    IFS=, read -ra more <<<"${arg#*=}"
    packages+=("${more[@]}")
done
[ ${#packages[@]} -gt 0 ] || exit 0

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
no_start=/usr/sbin/policy-rc.d
if [ ! -e "$no_start" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$no_start" >/dev/null
    "${sudo[@]}" chmod +x "$no_start"
    trap '"${sudo[@]}" rm -f "$no_start"' EXIT
fi
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${recommends[@]}" "${packages[@]}"
