# The two commands of the README. Each runs setup first (idempotent, fast when nothing changed).
.PHONY: run test setup build site bench clean

PY := .venv/bin/python

run: setup            ## set up, build every design and the site, serve the hub locally
	$(PY) scripts/run_local.py

# Another country's hub, made by editing hub.toml only (Arabic first, other regions and
# country rules, some of the designs): the site and browser tests run against it too, and
# the API tests that read the hub under test (the others use a fictional hub of their own).
FORK_HUB := $(CURDIR)/tests/fixtures/fork/hub.toml

test: setup           ## set up, then run the whole test suite, then again against a fork
	$(PY) -m pytest
	USINE_HUB_CONFIG=$(FORK_HUB) $(PY) -m pytest tests/site tests/browser tests/api/test_api_hub_under_test.py

setup:
	bash scripts/setup.sh

build: setup          ## build every design variant (cached)
	$(PY) -m cad build

site: build           ## build the site, one folder per language, into site/
	$(PY) scripts/build_site.py

bench: build          ## every benchmark, each against its baseline in the same run
	$(PY) -m cad bench
	$(PY) scripts/bench_visor.py
	$(PY) scripts/bench_site.py
	$(PY) scripts/bench_api.py --package
	$(PY) scripts/bench_stats.py
	$(PY) scripts/bench_coordination.py --json

clean:
	rm -rf build site .pytest_cache
