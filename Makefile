# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test bootstrap lint format messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

bootstrap: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo --quiet-logins

run: bootstrap
	$(MANAGE) load_demo
	@echo ""
	@echo "Serving on http://127.0.0.1:8000/ (Ctrl+C to stop)"
	$(MANAGE) runserver 127.0.0.1:8000

test: bootstrap
	$(BIN)/pytest

# Speed goals live here, not in the tests (docs/benchmarks.md); BENCH_SCALE=small for a smoke run.
bench: bootstrap
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.session_scale
	$(BIN)/python -m bench.scale_pages
	$(BIN)/python -m bench.eligibility
	$(BIN)/python -m bench.throughput
	$(BIN)/python -m bench.load

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	@for po in locale/*/LC_MESSAGES/django.po; do \
	  msgfmt --check -o $(VENV)/check.mo $$po && cmp -s $(VENV)/check.mo $${po%.po}.mo \
	    || { echo "$$po: compiled catalogue is stale, run make messages"; exit 1; }; \
	  test -z "$$(msgattrib --untranslated --no-obsolete $$po | grep -c '^msgid' | grep -v '^0$$')" \
	    || { echo "$$po has untranslated strings"; exit 1; }; \
	done

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.installed
	$(MANAGE) makemessages -l en --no-obsolete --ignore=.venv --ignore=tests
	$(MANAGE) compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm var
