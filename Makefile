VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install demo test lint bench

$(VENV)/.installed: pyproject.toml
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# exec: make's SIGTERM reaches the demo itself, which stops its servers cleanly.
demo: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.dev} \
		exec $(VENV)/bin/nastavnik demo --port $(PORT)

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

bench: install
	$(PY) bench/run.py
