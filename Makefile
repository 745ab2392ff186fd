# Sinergi — two commands do all the set-up on a machine with Python 3.11+ and make:
#   make run    the whole platform on its embedded default (NATS from a wheel, SQLite)
#   make test   ruff, mypy and every test
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint typecheck pytest bench contracts clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv>=0.5,<0.14"

install: $(UV)
	$(UV) sync --frozen --all-packages --python $(PYTHON)

run: install
	$(VENV)/bin/sinergi dev

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: install
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

contracts: install
	$(VENV)/bin/sinergi contracts export

clean:
	rm -rf $(VENV) $(TOOLS) var
