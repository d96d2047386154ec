# Two commands set everything up on a fresh machine:
#   make run   - create .venv, install, start the service on http://127.0.0.1:8000
#   make test  - same set-up, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.sandtable-installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
SOURCE ?= ../shared/data/kailash

.PHONY: run test bench region lint clean

$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m web.vendor
	touch $@

run: $(STAMP)
	$(BIN)/sandtable serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

region: $(STAMP)
	$(BIN)/sandtable build-region kailash --source $(SOURCE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy routes rescue geodata sandtable
	node_modules/.bin/eslint web/static eslint.config.js

clean:
	rm -rf $(VENV) node_modules web/static/vendor
