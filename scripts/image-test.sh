#!/usr/bin/env bash
# make image-test: build the Dockerfile as it is with podman, run the image on a free loopback
# port, check its pages, its health endpoint and that it runs as an unprivileged user, then
# remove the container and the image. The base image is a local stand-in
# (scripts/base-image.sh) when no registry is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=localhost/north-korea-cities:image-test
NAME=north-korea-cities-image-test-$$
PODMAN=(podman --runtime runc)
start=$SECONDS

status=0
scripts/podman-ready.sh image-test || status=$?
[ "$status" = 2 ] && exit 0
[ "$status" = 0 ] || exit "$status"
scripts/base-image.sh

cleanup() {
    "${PODMAN[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
    "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"${PODMAN[@]}" build --network host -t "$IMAGE" .
built=$SECONDS

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
# --network host, so the server binds loopback only, not the image's 0.0.0.0.
"${PODMAN[@]}" run -d --name "$NAME" --network host -e HOST=127.0.0.1 -e PORT="$port" "$IMAGE"
for _ in $(seq 100); do
    curl -fs -o /dev/null "$url/-/versions.json" && break
    "${PODMAN[@]}" container exists "$NAME" || break
    sleep 0.3
done

fail() { echo "image-test: FAIL: $*" >&2; "${PODMAN[@]}" logs --tail 20 "$NAME" >&2; exit 1; }
# page PATH TEXT: PATH answers 200 and contains TEXT, within three tries a second apart: make
# test runs the image beside other tests on two cores, where a query can pass the server's time
# limit (sql_time_limit_ms) and answer 500 once.
page() {
    local body try
    for try in 1 2 3; do
        body=$(curl -fsS "$url$1") && grep -qF -- "$2" <<<"$body" && break
        [ "$try" = 3 ] || { echo "image-test: $1 failed, trying again"; sleep 1; }
    done
    [ -n "$body" ] || fail "$1 does not answer 200"
    grep -qF -- "$2" <<<"$body" || fail "$1 does not contain '$2'"
    echo "image-test: ok $1 contains '$2'"
}
page / "Cities of North Korea"
page /north-korea-cities/cities "Pyongyang"
page /north-korea-cities/city_names "평양"
page "/north-korea-cities.json?sql=select+count(*)+as+n+from+cities&_shape=array" '[{"n": 28}]'
page /north-korea-cities/cities.geojson '"type": "FeatureCollection"'
page "/north-korea-cities/city_spellings/-/reconcile?queries=%7B%22q%22%3A%7B%22query%22%3A%22Pyeongyang%22%7D%7D" '"match": true'
page /sitemap.xml "/north-korea-cities/cities/"
page /-/data/datapackage.json '"cities-geojson"'
health=$(curl -s -o /dev/null -w '%{http_code}' "$url/-/health")
if [ "$health" != 404 ]; then
    [ "$health" = 200 ] || fail "/-/health answers $health"
    echo "image-test: ok /-/health answers 200"
else
    echo "image-test: no /-/health in this version: checking /-/versions.json instead"
    page /-/versions.json '"datasette"'
fi
uid=$("${PODMAN[@]}" exec "$NAME" id -u)
user=$("${PODMAN[@]}" top "$NAME" user | tail -n +2 | sort -u)
[ "$uid" != 0 ] && [ -n "$user" ] && [ "$user" != root ] || fail "runs as uid $uid, user '$user'"
echo "image-test: ok the server runs as $user (uid $uid)"
echo "image-test: passed in $((SECONDS - start)) s (image built in $((built - start)) s)"
