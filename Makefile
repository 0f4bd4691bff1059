# fbopt: `make demo` sets everything up and writes posts for the sample topics; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# constraints.txt pins torch to the CPU build at install time; pyproject.toml keeps a range.
INSTALL_STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALL_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALL_STAMP)

install: $(INSTALL_STAMP)

demo: install
	$(BIN)/fbopt generate sample_data/topics.csv
	@echo "Posts written to $(CURDIR)/topics.generate.parquet (report: topics.generate.report.json)"

# Redis, a Pushgateway and Chromium for the real-server tests: installed when missing and possible.
system-packages:
	@bash scripts/system_packages.sh

test: install system-packages
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check fbopt tests scripts

bench: install
	$(BIN)/fbopt benchmark --report bench.json

clean:
	rm -rf $(VENV) *.generate.parquet *.report.json .pytest_cache
