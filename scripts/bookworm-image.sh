#!/usr/bin/env bash
# bookworm-image.sh IMAGE PACKAGES [COMMAND]: a podman image of Debian bookworm from debootstrap
# (minbase plus PACKAGES, comma-separated), with COMMAND run in it once, and this machine's CA
# bundle so pip reaches the package index through whatever proxy this machine trusts. No image
# registry is reachable here, so the images the tests run are made this way. Does nothing if
# IMAGE is already there.
set -euo pipefail
IMAGE=$1 PACKAGES=$2 COMMAND=${3:-}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PODMAN=(podman --runtime runc)

if "${PODMAN[@]}" image exists "$IMAGE"; then
    echo "bookworm-image: $IMAGE is there"
    exit 0
fi
root=$(mktemp -d /var/tmp/bookworm.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "$MIRROR"
[ -z "$COMMAND" ] || chroot "$root" sh -c "$COMMAND"
cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
# The environment and command of python:3.11-slim (its PATH has /usr/local/bin first).
tar -C "$root" -c . | "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$IMAGE"
"${PODMAN[@]}" run --rm "$IMAGE" python3 -c 'import sys; print("bookworm-image:", sys.version)'
