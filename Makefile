# The README's two commands: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := connector-runtime intacct-api magento-api singer-rejects emulators tap-intacct tap-magento target-intacct target-magento
STAMP := $(VENV)/.installed
# Dagster and dagster-meltano for orchestrate/dagster/ (its own file: not needed by the plugins).
ORCHESTRATE_REQUIREMENTS := orchestrate/dagster/requirements.txt

# `make dist`: every package's sdist and wheel, built in isolation, in one folder. A Meltano
# project's pip_url names a plugin and this folder (`--find-links`), so one pip_url brings the
# packages the plugin shares with the others. DIST may be any folder; only our files are replaced.
DIST ?= dist

.PHONY: setup demo stack test lint typecheck pytest dist clean

setup: $(STAMP)

$(STAMP): VERSION requirements-dev.txt $(ORCHESTRATE_REQUIREMENTS) $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -r $(ORCHESTRATE_REQUIREMENTS) $(addprefix -e ,$(PACKAGES:emulators='emulators[test]'))
	touch $(STAMP)

demo: setup
	$(BIN)/python scripts/demo.py

# Both emulators (and with STACK=--postgres a warehouse) kept up for trying the jobs by hand.
stack: setup
	$(BIN)/python scripts/stack.py $(STACK)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy connector-runtime/connector_runtime intacct-api/intacct_api magento-api/magento_api singer-rejects/singer_rejects emulators/connector_emulators tap-intacct/tap_intacct tap-magento/tap_magento target-intacct/target_intacct target-magento/target_magento scripts orchestrate/dagster

pytest: setup
	$(BIN)/pytest -q

test: lint typecheck pytest

dist: setup
	mkdir -p $(DIST)
	rm -f $(DIST)/intacct_connectors_*
	for package in $(PACKAGES); do \
	  PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m build -q --installer uv --outdir $(DIST) $$package \
	    || exit 1; \
	done

clean:
	rm -rf $(VENV) .meltano output dist
