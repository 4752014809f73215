#!/usr/bin/env bash
# debian-packages.sh TOOL=PACKAGES ... [-- TOOL=PACKAGES ...]: install the Debian packages
# (comma-separated) of each TOOL, a command or a file, that this machine does not have, in one
# apt-get update and at most two installs: apt holds a lock, and each install sets up fonts,
# icons and man pages again. Those before "--" come without recommended packages (chromium's
# would bring systemd and cups), those after it with theirs (podman's runtime needs them).
# No service starts (Debian's nginx would take port 80): a policy-rc.d denies starts for the
# install, unless the machine has one already. As root, or through sudo.
set -euo pipefail
missing() {  # the packages of each TOOL=PACKAGES whose TOOL is not there
    local arg
    for arg; do
        command -v "${arg%%=*}" >/dev/null || [ -e "${arg%%=*}" ] || tr , '\n' <<<"${arg#*=}"
    done
}
plain=() recommended=()
for arg; do
    [ "$arg" = -- ] && break
    plain+=("$arg")
done
[ ${#plain[@]} = $# ] || recommended=("${@:${#plain[@]}+2}")
plain=($(missing "${plain[@]}")) recommended=($(missing "${recommended[@]}"))
[ ${#plain[@]} -gt 0 ] || [ ${#recommended[@]} -gt 0 ] || exit 0

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y)
no_start=/usr/sbin/policy-rc.d
if [ ! -e "$no_start" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$no_start" >/dev/null
    "${sudo[@]}" chmod +x "$no_start"
    trap '"${sudo[@]}" rm -f "$no_start"' EXIT
fi
"${sudo[@]}" apt-get update
[ ${#plain[@]} = 0 ] || "${install[@]}" --no-install-recommends "${plain[@]}"
[ ${#recommended[@]} = 0 ] || "${install[@]}" "${recommended[@]}"
