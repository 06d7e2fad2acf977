# DFU Monitor: set-up, run and test. `make run` and `make test` create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: venv run test bench bench-quick screenshots clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.run --patients 10000

bench-quick: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.run --patients 1000

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m app.ui.screenshots docs/screenshots

clean:
	rm -rf $(VENV) build *.egg-info
