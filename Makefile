# FRT: the two Quick start commands (README) and the developer's everyday ones.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo demo-reset test traceability lint layers browser clean

# Set everything up and start the web app on the embedded SQLite default, with demo users.
demo: $(STAMP)
	$(BIN)/frt serve --demo

# Delete the demo's data (./var of a training installation only) and keep .venv.
demo-reset: $(STAMP)
	$(BIN)/frt demo reset --yes

# Run the whole test suite (FRT_DATABASE_URL=postgresql+psycopg://… runs it on PostgreSQL;
# PYTEST_ARGS passes more, e.g. PYTEST_ARGS='-m "not cluster"').
test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

traceability: $(STAMP) browser
	-$(BIN)/python -m pytest -q
	$(BIN)/frt traceability

# The layers hold: engine and policy import nothing of FRT, no domain package imports the web
# (import-linter contracts in pyproject.toml); part of `make lint`, which CI runs.
layers: $(STAMP)
	$(BIN)/lint-imports

# Style, layers and types: each must report nothing.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "setuptools<82" wheel
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

# Browser tests drive Debian's Chromium (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

clean:
	rm -rf $(VENV) var .pytest_cache
