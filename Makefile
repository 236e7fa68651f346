# Build tooling. `make build` and `make test` are all a new contributor needs.
# Targets create the virtualenv (.venv) from requirements.lock when it is missing.

VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python

.DEFAULT_GOAL := build
.PHONY: build build-review test test-fast golden lint serve check bench bench-quick deps test-tools docs clean sample-approvals

# The editable install puts the `protocols` command into the virtualenv: its presence means "installed".
$(BIN)/protocols: requirements.lock pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --disable-pip-version-check -r requirements.lock
	$(PYTHON) -m pip install --disable-pip-version-check -e . --no-deps
	touch $(BIN)/protocols

## deps: reinstall the pinned dependencies (after requirements.lock changed)
deps:
	rm -f $(BIN)/protocols
	$(MAKE) $(BIN)/protocols

## build: check the protocols and build the clinician site into site/
build: $(BIN)/protocols
	$(BIN)/protocols build

## build-review: build the reviewer site (drafts, diffs, missing approvals) into site-review/
build-review: $(BIN)/protocols
	$(BIN)/protocols build --reviewer

## test: lint and run every test (installs Debian's chromium, nodejs, npm and a Java runtime first if they
## are missing, and the npm test tools axe-core and vnu-jar when node_modules is missing or stale)
test: $(BIN)/protocols test-tools lint
	$(BIN)/pytest

## test-fast: the tests that need no browser, no Node and no MkDocs build, on FAST_WORKERS processes that
## steal work from each other at the end (--dist worksteal), with Hypothesis' `fast` profile: every property
## test runs a fifth of its examples (tests/hypothesis_profiles.py); `make test` and CI run the full counts.
## Measured 2026-11-30 on the 2-core machine, alone, three runs of e5f4356: 51.5 to 52 s CPU (user+sys) for
## 2,367 tests, 26.9 to 27.3 s wall (c309884: 54 to 58.5 s CPU, 28.6 to 31.9 s wall; earlier: 70 to 77 s CPU,
## 42 s wall). About 2.5 s of the wall is the two workers' start and collection; what is left is mostly the
## check and render themselves. Compiled test modules are cached even where the
## environment sets PYTHONDONTWRITEBYTECODE (pytest's assertion rewriting of 170 test modules costs 3 s a run)
FAST_WORKERS ?= 2
test-fast: $(BIN)/protocols
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n $(FAST_WORKERS) --dist worksteal --hypothesis-profile=fast \
		-m "not browser and not node and not engine"

## golden: rewrite the golden files (tests/golden/: both sample sites, every file; every test named *golden*)
## from the current code; review the diff (git diff tests/golden/) before committing it
golden: $(BIN)/protocols
	UPDATE_GOLDEN=1 $(BIN)/pytest -q -k golden tests/

lint: $(BIN)/protocols
	$(BIN)/ruff check

test-tools:
	scripts/ensure-test-tools.sh
	scripts/ensure-npm-tools.sh

## serve: live-reloading preview on http://127.0.0.1:8000/ (rebuilds when a protocol file is saved)
serve: $(BIN)/protocols
	$(BIN)/protocols serve

## check: every rule over the sample library
check: $(BIN)/protocols
	$(BIN)/protocols check protocols/

## docs: regenerate docs/rules.md from the rule catalog (tests fail while it is stale)
docs: $(BIN)/protocols
	$(BIN)/protocols rules > docs/rules.md.new
	mv docs/rules.md.new docs/rules.md

## sample-approvals: re-sign every approval of the sample library from its current content with the
## SAMPLE-ONLY keys of tests/sample_keys/ (after the sample content changed; never for a real library)
sample-approvals: $(BIN)/protocols
	$(PYTHON) scripts/sign_sample_approvals.py protocols

## bench: the benchmarks against their targets at N = 100, 300, 1,000 (benchmarks/run.py; writes
## benchmarks/results.md; builds the old main 70a969f beside this tree at N = 1,000)
bench: $(BIN)/protocols
	$(PYTHON) benchmarks/run.py

## bench-quick: the same measurements at small N (30, 100), once each, for developers (results.md untouched)
bench-quick: $(BIN)/protocols
	$(PYTHON) benchmarks/run.py --quick

clean:
	rm -rf site/ site-review/
