# Two commands (README): `make report` renders the leadership report for the sample
# school; `make test` runs every test. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAMPLE ?= data_samples/harbourside-primary
AS_OF ?= 2026-03-06

.PHONY: setup report test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,pdf]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/sendlib report $(SAMPLE) --as-of $(AS_OF) --out outputs

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sendlib tests benchmarks
	$(BIN)/ruff format --check sendlib tests benchmarks

clean:
	rm -rf $(VENV) outputs/*/
