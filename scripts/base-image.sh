#!/usr/bin/env bash
# A stand-in for docker.io/library/python:3.11-slim, for machines that reach no image registry
# (make image-test): the fresh-machine test's Debian bookworm (scripts/bookworm-image.sh: one
# debootstrap for both tests), with its python3 (3.11) and python:3.11-slim's environment and
# command, without the make and git the slim image does not have, plus a venv at /usr/local so
# `python` and `pip` are where the real image has them.
# Does nothing if the image is already there.
set -euo pipefail
IMAGE=${BASE_IMAGE:-docker.io/library/python:3.11-slim}
BOOKWORM=localhost/north-korea-cities-fresh-bookworm:1
PODMAN=(podman --runtime runc)

if "${PODMAN[@]}" image exists "$IMAGE"; then
    echo "base-image: $IMAGE is there"
    exit 0
fi
"$(dirname "$0")/bookworm-image.sh" "$BOOKWORM"
"${PODMAN[@]}" build --pull=never -t "$IMAGE" -f - <<EOF
FROM $BOOKWORM
RUN apt-get purge -y -q --autoremove make git && python3 -m venv /usr/local
EOF
