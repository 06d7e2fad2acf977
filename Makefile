# DFU Monitor: set-up, run and test. `make run` and `make test` create .venv when it is missing.
# Python 3.12 or newer: PySide6 6.12.0 returns None/True without a new reference, harmless only
# where those objects are immortal (PEP 683, Python 3.12). The first interpreter found wins.
PYTHON ?= $(shell for p in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=
# Test processes (pytest-xdist); each worker has its own PostgreSQL cluster and temp folders.
PYTEST_WORKERS ?= 2

.PHONY: venv run lint test bench bench-quick bench-server bench-server-quick screenshots dist dist-check wheel-check clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "DFU Monitor needs Python 3.12 or newer (python3.12 / python3.13 on PATH)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

# The contracts first (ruff: every rule and noqa; import-linter: the layers), then the suite.
lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench packaging
	$(VENV)/bin/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(PYTEST_WORKERS) $(ARGS)

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.run --patients 10000

bench-quick: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.run --patients 1000

# Server mode: the same metrics against a throwaway PostgreSQL server on 127.0.0.1 (bench/server.py)
bench-server: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.server --patients 10000

bench-server-quick: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.server --patients 1000

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m app.ui.screenshots docs/screenshots

# The one-folder bundle dist/dfu-monitor/ (PyInstaller, packaging/dfu-monitor.spec); the `dist`
# extra installs PyInstaller into .venv the first time.
# OPENCV=slim (the default) bundles the slim OpenCV of packaging/opencv_slim.sh, built once into
# build/opencv-slim/ (about 10 min on 2 cores); OPENCV=wheel bundles the PyPI wheel (+130 MB).
OPENCV ?= slim
dist: $(STAMP)
	$(PY) -c 'import PyInstaller' 2>/dev/null || $(PY) -m pip install --quiet -e '.[test,dist]'
	site="$$( [ "$(OPENCV)" = wheel ] || packaging/opencv_slim.sh $(PY) )" && \
	DFU_MONITOR_OPENCV_SITE="$$site" $(PY) -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/dfu-monitor.spec

# The bundle's smoke test: its command line and its window, from a temporary folder.
dist-check: dist
	packaging/smoke_bundle.sh dist/dfu-monitor

# The wheel installed in a fresh venv outside the checkout.
wheel-check: $(STAMP)
	packaging/smoke_wheel.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
