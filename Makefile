# Two commands do everything: `make run` and `make test` (see README.md).
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENDOR  := static/vendor/socket.io.esm.min.js
COMMUNES := concert/data/communes.tsv
DEPARTEMENTS := concert/data/departements.tsv

.PHONY: setup system run test chromium nginx bench clean

setup: system $(VENV)/.installed $(VENDOR) $(COMMUNES) $(DEPARTEMENTS)

# From Debian: Cairo for CairoSVG (charts in DOCX/ODT), and the fonts the PDF is typeset
# in (Liberation 2, DejaVu as fallback: concert/exports/typeset.py).
FONTS := /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
system:
	@ldconfig -p | grep -q libcairo.so.2 && ls $(FONTS) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q libcairo2 fonts-liberation2 fonts-dejavu-core; }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

$(VENDOR): node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.esm.min.js \
	   node_modules/socket.io-client/dist/socket.io.esm.min.js.map static/vendor/

# Commune names by INSEE code, from Etalab's découpage administratif (shipped in the wheel).
$(COMMUNES): node_modules/.package-lock.json scripts/communes.py
	$(PYTHON) scripts/communes.py node_modules/@etalab/decoupage-administratif/data/communes.json $@

# Département names by code, from the same dataset ("Bouches-du-Rhône (13)").
$(DEPARTEMENTS): node_modules/.package-lock.json scripts/departements.py
	$(PYTHON) scripts/departements.py node_modules/@etalab/decoupage-administratif/data/departements.json $@

# Browser tests drive Debian's Chromium; Playwright's own browser download is not used.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# The deployment test puts Debian's nginx in front of two processes (tests/faults/test_nginx.py);
# it is only started by that test, on a port of its own.
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nginx; }

run: setup
	$(VENV)/bin/concert init
	$(VENV)/bin/concert demo
	$(VENV)/bin/concert run --host 127.0.0.1 --port 5000

# Static checks first: bandit fails on any high-severity finding; pip-audit on a known
# vulnerability (skipped, saying so, where PyPI's vulnerability service is out of reach).
test: setup chromium nginx
	$(VENV)/bin/bandit --quiet --recursive concert --severity-level high
	$(PY) scripts/pip_audit.py
	$(VENV)/bin/pytest -n auto --dist loadgroup --durations=20 $(PYTEST_ARGS)

bench: setup
	$(PY) bench/fanout.py
	$(PY) bench/exports.py
	$(PY) bench/catchup.py
	$(PY) bench/growth.py

clean:
	rm -rf $(VENV) node_modules static/vendor $(COMMUNES) instance build *.egg-info
