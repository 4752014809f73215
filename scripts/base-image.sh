#!/usr/bin/env bash
# A stand-in for docker.io/library/python:3.11-slim, for machines that reach no image registry
# (make image-test): Debian bookworm from debootstrap with its python3 (3.11), a venv at
# /usr/local so `python` and `pip` are where the real image has them, and this machine's CA
# bundle so pip reaches the package index through whatever proxy this machine trusts.
# Does nothing if the image is already there.
set -euo pipefail
IMAGE=${BASE_IMAGE:-docker.io/library/python:3.11-slim}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PODMAN=(podman --runtime runc)

if "${PODMAN[@]}" image exists "$IMAGE"; then
    echo "base-image: $IMAGE is there"
    exit 0
fi
root=$(mktemp -d /var/tmp/python-slim.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$root" "$MIRROR"
chroot "$root" python3 -m venv /usr/local
cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
# The environment and command of the real image (its PATH has /usr/local/bin first).
tar -C "$root" -c . | "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$IMAGE"
"${PODMAN[@]}" run --rm "$IMAGE" python -c 'import sys; print("base-image:", sys.version)'
