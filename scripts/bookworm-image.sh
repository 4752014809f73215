#!/usr/bin/env bash
# bookworm-image.sh IMAGE: a podman image of Debian bookworm from debootstrap (minbase plus what
# the two container tests need: python3, python3-venv, python3-pip, make, git, ca-certificates),
# with this machine's CA bundle so pip reaches the package index through whatever proxy this
# machine trusts. No image registry is reachable here, so the images the tests run are made this
# way: make fresh-machine-test runs this image, and make image-test's python:3.11-slim stand-in
# (scripts/base-image.sh) is derived from it. Does nothing if IMAGE is already there.
set -euo pipefail
IMAGE=$1
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PODMAN=(podman --runtime runc)

# make test runs both tests side by side: whichever gets here second waits for the first to
# make the image, then finds it there.
exec 9>/var/tmp/north-korea-cities-images.lock
flock 9
if "${PODMAN[@]}" image exists "$IMAGE"; then
    echo "bookworm-image: $IMAGE is there"
    exit 0
fi
root=$(mktemp -d /var/tmp/bookworm.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,make,git,ca-certificates \
    bookworm "$root" "$MIRROR"
cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
# The environment and command of python:3.11-slim (its PATH has /usr/local/bin first), which
# scripts/base-image.sh's stand-in inherits.
tar -C "$root" -c . | "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$IMAGE"
"${PODMAN[@]}" run --rm "$IMAGE" python3 -c 'import sys; print("bookworm-image:", sys.version)'
