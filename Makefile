PY ?= .venv/bin/python
VERSION ?= 19.0
# the models of the bundled generated package (the emulator's database has more)
BUNDLED_MODELS = $(shell grep -v '^\#' tools/bundled_models.txt | paste -sd, -)

.PHONY: install demo test pytest lint typecheck docs bench generate check-generated

# An editable install that type checkers follow: setuptools' strict mode, a tree of links to the sources behind
# a plain .pth entry (its default editable finder is an import hook, which mypy and pyright cannot see). A module
# added to the sources is linked at the next `make install`.
EDITABLE = $(PY) -m pip install -q --config-settings editable_mode=strict -e

install:
	@test -x $(PY) || python3 -m venv .venv
	$(EDITABLE) '.[dev]'

demo: install
	$(PY) -m zenoo_rpc.generator.demo --odoo-version $(VERSION) --out out/demo_models

test: install lint typecheck check-generated docs pytest

pytest:
	$(PY) -m pytest tests examples/django_shop/tests examples/testing

lint:
	$(PY) -m ruff check zenoo_rpc generator generated_models tests bench tools examples
	$(PY) -m ruff format --check zenoo_rpc generator tests bench tools examples

typecheck:
	$(PY) -m mypy

docs:  # the documentation site in site/; --strict: a broken link or reference fails
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet

generate:
	$(PY) tools/async_to_sync.py
	$(PY) -m zenoo_rpc.generator --from-schema zenoo_rpc/testing/odoo_data/$(VERSION) --models $(BUNDLED_MODELS) --out generated_models
	$(EDITABLE) '.[dev]'  # link new modules into the editable install

check-generated:
	$(PY) tools/async_to_sync.py --check
	$(PY) -m zenoo_rpc.generator --from-schema zenoo_rpc/testing/odoo_data/$(VERSION) --models $(BUNDLED_MODELS) --out generated_models --check

bench: install
	$(EDITABLE) '.[dev,bench]'
	$(PY) -m bench.run
	$(PY) -m bench.imports --latency-ms 0 --latency-ms 20 --latency-ms 50 --json bench/imports.json
	$(PY) -m bench.models_import --json bench/models_import.json
	$(PY) -m bench.schema_drift --latency 0 --latency 20
	$(PY) -m bench.observe_overhead
