#!/usr/bin/env bash
# make fresh-machine-test: the README's set-up on a fresh Debian 12 as a newcomer has it, with
# Debian's own python3 (3.11.2, the oldest Python the README supports): a debootstrap minbase
# root with python3, python3-venv, python3-pip, make, git and ca-certificates, and the work tree.
# In one container `make serve` must reach a 200 on / and the full test lock must install; in
# another, without python3-venv, `make serve` must stop with one line naming the fix, before pip.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=localhost/north-korea-cities-fresh-bookworm:1
PODMAN=(podman --runtime runc)
start=$SECONDS

status=0
scripts/podman-ready.sh fresh-machine-test || status=$?
[ "$status" = 2 ] && exit 0
[ "$status" = 0 ] || exit "$status"
scripts/bookworm-image.sh "$IMAGE"

# The work tree as a clone would have it (tracked and new files, nothing ignored, no .venv).
tree=$(mktemp /var/tmp/fresh-tree.XXXXXX.tar)
trap 'rm -f "$tree"' EXIT
git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ \
    | tar --null -T - -cf "$tree"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run() {  # run SCRIPT: SCRIPT in a new container of IMAGE, in a copy of the work tree at /w
    timeout 1200 "${PODMAN[@]}" run --rm --network host -v "$tree:/tree.tar:ro" \
        -e PORT="$port" "$IMAGE" bash -euo pipefail -c "mkdir /w && tar -C /w -xf /tree.tar && cd /w && $1"
}
fail() { echo "fresh-machine-test: FAIL: $*" >&2; exit 1; }

# Without python3-venv (Debian and Ubuntu ship venv's ensurepip apart).
out=$(run 'dpkg -r python3-venv python3.11-venv >/dev/null 2>&1; make serve 2>&1' || true)
echo "$out" | sed 's/^/  | /'
grep -q 'apt-get install python3-venv' <<<"$out" || fail "no line naming python3-venv"
! grep -q -e '-m pip' -e '-m venv' <<<"$out" || fail "venv or pip ran before the python3-venv line"
echo "fresh-machine-test: ok without python3-venv, make serve says so in one line"

# make serve, then the first page; then the full lock.
run 'scripts/fresh-machine-steps.sh' || fail "make serve or the full lock failed on Debian's python3"
echo "fresh-machine-test: passed in $((SECONDS - start)) s"
