# Two commands: `make run` and `make test`. Both set up .venv from nothing but Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-encrypted lint check diagram bench bench-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Without TELEGRAM_BOT_TOKEN: the sandbox, as a web page (it prints the address) and a terminal chat.
run: $(STAMP)
	$(BIN)/omzien run

test: $(STAMP)
	$(BIN)/omzien content check
	$(BIN)/python -m pytest -q || { status=$$?; [ $$status -ne 5 ] || \
		echo "pytest collected no tests: that is a failure" >&2; exit $$status; }

# The tests that open a database, again with every database encrypted (SQLCipher): the
# fixtures, the sandbox and every `omzien` subprocess take OMZIEN_DB_KEY from here.
# tests/dialogues and tests/content never open one. A test key, not a secret.
ENCRYPTED_TESTS := tests/storage tests/bot tests/e2e tests/sandbox tests/test_scenarios.py
test-encrypted: $(STAMP)
	env -u OMZIEN_DB_KEY_FILE OMZIEN_DB_KEY='ci test key, not a secret' \
		$(BIN)/python -m pytest -q $(ENCRYPTED_TESTS)

# ruff (lint, then the format check) and mypy on the packages, as configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/omzien content check

diagram: $(STAMP)
	$(BIN)/omzien diagram

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/detector.py
	$(BIN)/python bench/journal.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/transport.py
	$(BIN)/python bench/run.py

# A tiny load through the same harness: fails only when a figure is not produced.
bench-smoke: $(STAMP)
	$(BIN)/python bench/engine.py --steps 50
	$(BIN)/python bench/transport.py --calls 20 --rounds 1
	$(BIN)/python bench/run.py --smoke

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
