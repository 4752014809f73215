#!/usr/bin/env bash
# A stand-in for docker.io/library/python:3.11-slim, for machines that reach no image registry
# (make image-test): Debian bookworm with its python3 (3.11), and a venv at /usr/local so
# `python` and `pip` are where the real image has them.
set -euo pipefail
exec "$(dirname "$0")/bookworm-image.sh" "${BASE_IMAGE:-docker.io/library/python:3.11-slim}" \
    python3,python3-venv,python3-pip,ca-certificates "python3 -m venv /usr/local"
