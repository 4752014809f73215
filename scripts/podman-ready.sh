#!/usr/bin/env bash
# podman-ready.sh NAME: exit 0 if podman can run containers here; otherwise print one line saying
# why and how to fix it, and exit 2 (the caller skips its test). Run as root.
set -euo pipefail
name=$1
# Podman's default ulimits cannot be set inside this kind of machine (a container itself).
CONF=/etc/containers/containers.conf
if [ ! -e "$CONF" ]; then
    mkdir -p "$(dirname "$CONF")"
    printf '[containers]\ndefault_ulimits = []\n' >"$CONF"
elif ! grep -q '^default_ulimits' "$CONF"; then
    echo "$name: $CONF has no default_ulimits; add 'default_ulimits = []' under [containers]" >&2
    exit 1
fi
# A container's /dev needs device nodes: an unprivileged container may not make them.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
if ! mknod "$probe/null" c 1 3 2>/dev/null; then
    echo "$name: SKIPPED: podman cannot create devices here (mknod is refused: an unprivileged" \
         "container); run make test as root on a host or in a privileged container (--privileged)"
    exit 2
fi
