#!/usr/bin/env bash
# Inside scripts/fresh-machine-test.sh's container, in a copy of the work tree: `make serve`
# until / answers 200 on $PORT, then the full test lock on the same Python (make install).
set -euo pipefail
python3 --version
make serve >/tmp/serve.log 2>&1 &
serve=$!
python3 - <<'PY' &
import os
import time
import urllib.request

url = f"http://127.0.0.1:{os.environ['PORT']}/"
start = time.monotonic()
while time.monotonic() - start < 900:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            print(f"fresh-machine-test: ok / answered {response.status}"
                  f" {time.monotonic() - start:.0f} s after make serve")
            break
    except OSError:
        time.sleep(1)
else:
    raise SystemExit("fresh-machine-test: make serve reached no page in 900 s")
PY
poll=$!
# Whichever ends first: the page answered, or make serve stopped (then it failed).
wait -n "$serve" "$poll" || true
if kill -0 "$poll" 2>/dev/null || ! wait "$poll"; then
    echo "fresh-machine-test: make serve stopped before / answered:" >&2
    tail -n 30 /tmp/serve.log >&2
    exit 1
fi
make install  # the full lock on top, as make test starts
.venv/bin/python -m pip check
echo "fresh-machine-test: ok requirements.lock installs on $(python3 --version)"
