# The two commands of the README. Each runs setup first (idempotent, fast when nothing changed).
.PHONY: run test setup build site bench clean

PY := .venv/bin/python

run: setup            ## set up, build every design and the site, serve the hub locally
	$(PY) scripts/run_local.py

test: setup           ## set up, then run the whole test suite
	$(PY) -m pytest

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
