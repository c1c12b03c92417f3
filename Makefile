# The two commands of the README: `make demo` and `make test`. Both start from nothing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: demo test test-postgres lint system-packages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) scripts/check-python.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/xmess-bot demo

system-packages:
	bash scripts/ensure-system-packages.sh

lint: $(VENV)/.installed
	$(PY) -m ruff check bot tests benchmarks scripts
	$(PY) -m ruff format --check bot tests benchmarks scripts
	$(PY) -m mypy

# The suite runs twice: on SQLite, then on a throwaway PostgreSQL server on loopback.
test: $(VENV)/.installed system-packages lint
	$(PY) -m pytest -n auto $(PYTEST_ARGS)
	bash scripts/test-postgres.sh $(PY) -m pytest -n auto $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed
	bash scripts/test-postgres.sh $(PY) -m pytest -n auto $(PYTEST_ARGS)

# On a throwaway PostgreSQL server too, so the claim figures cover both backends.
bench: $(VENV)/.installed system-packages
	bash scripts/test-postgres.sh $(PY) -m benchmarks

clean:
	rm -rf $(VENV) xmess-demo .pytest_cache .mypy_cache .ruff_cache
