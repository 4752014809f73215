#!/usr/bin/env bash
# A fresh clone's `make serve` against its floor, in one run on one machine:
#   floor:      python -m venv + pip install --require-hashes -r requirements-serve.lock
#   make serve: from the clone to the first 200 on / (venv, install, build, serve)
# and the size of the .venv `make serve` leaves. pip's cache is off for both, so each downloads
# what a fresh machine would. Usage: bench/fresh-serve.sh [REPO] (default: this checkout's HEAD).
# `make bench` runs it once (bench/run.py) and records its three numbers in bench/RESULTS.md.
set -euo pipefail
repo=${1:-$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
work=$(mktemp -d /tmp/fresh-serve.XXXXXX)
serve=
cleanup() { [ -n "$serve" ] && kill -- -"$serve" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
git clone --quiet "$repo" "$work/clone"
cd "$work/clone"

start=$(date +%s.%N)
"$PYTHON" -m venv "$work/floor"
"$work/floor/bin/python" -m pip install --quiet --require-hashes -r requirements-serve.lock
floor=$(echo "$(date +%s.%N) - $start" | bc)

port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start=$(date +%s.%N)
PORT=$port setsid make serve PYTHON="$PYTHON" >"$work/serve.log" 2>&1 &
serve=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do
    kill -0 "$serve" 2>/dev/null || { tail -n 30 "$work/serve.log" >&2; exit 1; }
    sleep 0.2
done
first=$(echo "$(date +%s.%N) - $start" | bc)
venv=$(du -sm .venv | cut -f1)
packages=$(.venv/bin/python -m pip list --format=freeze 2>/dev/null | wc -l)
printf 'floor (venv + pip install serve lock): %.1f s\n' "$floor"
printf 'make serve to first 200:               %.1f s (%.2fx the floor)\n' "$first" \
    "$(echo "$first / $floor" | bc -l)"
echo ".venv after make serve:                $venv MB, $packages packages"
