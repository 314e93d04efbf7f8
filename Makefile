# Responder: `make run` starts the app, `make test` runs the tests. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint format worker ui migrate clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) -m responder db upgrade

## Start the Streamlit app (http://localhost:8501) and the worker; Ctrl-C stops both.
run: migrate
	$(PY) -m responder run

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: migrate
	$(PY) -m responder worker

ui: migrate
	$(VENV)/bin/streamlit run ui/app.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
