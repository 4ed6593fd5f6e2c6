VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install demo test test-browser lint bench messages

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

# The browser tests alone (Playwright driving the system Chromium: apt-get install chromium).
test-browser: install
	$(VENV)/bin/pytest -m browser

# Extract the Russian catalogue (then translate the new msgids) and compile it.
messages: install
	cd $(CURDIR) && DJANGO_SETTINGS_MODULE=config.settings.dev $(VENV)/bin/nastavnik makemessages \
		-l ru --no-location --ignore=.venv --ignore=bench --ignore=tests --ignore=var
	# The creation date would change the file on every run: pinned, so a clean tree stays clean.
	sed -i 's/^"POT-Creation-Date: .*"$$/"POT-Creation-Date: 2026-01-01 00:00+0000\\n"/' \
		platform/config/locale/ru/LC_MESSAGES/django.po
	cd $(CURDIR) && DJANGO_SETTINGS_MODULE=config.settings.dev $(VENV)/bin/nastavnik compilemessages \
		--ignore=.venv

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-logo

bench: install
	$(PY) bench/run.py
