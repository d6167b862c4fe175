# Two commands on a fresh machine (Python 3.11 and make):
#   make demo   -- creates .venv, installs rhd_match, runs the main job on the embedded demo
#   make test   -- installs the dev extras and Debian's chromium (when root and missing), runs
#                  linters, type checks and the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo

.PHONY: demo test lint typecheck browser install install-dev clean docs bench messages oracles planted mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/rhd-match demo
	$(BIN)/rhd-match report --demo --out $(OUT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check rhd_match tests benchmarks examples docs_hooks.py
	$(BIN)/ruff format --check rhd_match tests benchmarks examples docs_hooks.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy rhd_match benchmarks

# Debian's chromium for the real-browser tests of the HTML report (tests/test_browser.py),
# installed with apt-get when missing and we are root (a few minutes, once); instant when it is
# there. Without it the browser tests are skipped with the reason shown, and fail under CI=true.
browser:
	@if [ -n "$$RHD_MATCH_SKIP_BROWSER" ]; then \
		echo "browser: RHD_MATCH_SKIP_BROWSER is set: the browser tests will be skipped"; \
	elif command -v chromium >/dev/null 2>&1; then \
		echo "browser: $$(command -v chromium) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "browser: installing Debian's chromium for the browser tests (apt-get, a few minutes, once)"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
		&& echo "browser: chromium installed" \
		|| echo "browser: apt-get could not install chromium (see above): the browser tests will be skipped, or fail under CI=true"; \
	else \
		echo "browser: chromium is missing; as root, make browser installs it (apt-get install chromium): the browser tests will be skipped, or fail under CI=true"; \
	fi

# The tests build the docs site in strict mode too (tests/test_docs.py). One worker per core,
# each test file on one worker: a file's shared fixtures (solved plans) are made once.
test: lint typecheck browser
	$(BIN)/python -m pytest -n auto --dist loadfile

# The scale ladder with baselines (minutes to an hour); results in benchmarks/results/.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks --sizes XS,S,SM,M

# Translations (docs/i18n.md): extract the marked strings from the code, merge them into each
# catalogue (new ones untranslated, gone ones obsolete), then check: every entry translated,
# none fuzzy (tests/test_i18n.py says the same in CI). No .mo is written: the catalogues are
# compiled in memory at first use.
POT := $(VENV)/rhd_match.pot
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F pyproject.toml --no-wrap --no-location --sort-output --project rhd_match \
		--version "$$($(BIN)/python -c 'import rhd_match.version as v; print(v.__version__)')" \
		--copyright-holder "rhd_match contributors" -o $(POT) rhd_match
	$(BIN)/pybabel update -D rhd_match -i $(POT) -d rhd_match/locale --no-wrap --ignore-obsolete
	$(BIN)/python -m pytest tests/test_i18n.py -q -k catalogue

# Test-suite quality (docs/testing.md). Binding shares of the oracles' scenario generators,
# written to tests/ORACLES.md (a few minutes):
oracles: $(VENV)/.installed-dev
	cd tests && ../$(BIN)/python oracles.py $(DRAWS)

# The planted bugs, each in a copy of the package, each caught by its tests (also in `make test`):
planted: $(VENV)/.installed-dev
	$(BIN)/python tests/planted.py

# Mutation testing with mutmut (hours over the whole core: not in CI). MUTANTS='rhd_match.egalim*'
# runs the mutants of one module; results with `.venv/bin/mutmut results` and `mutmut show NAME`.
mutation: $(VENV)/.installed-dev
	RHD_MATCH_SKIP_BROWSER=1 $(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut results

docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) out site mutants .pytest_cache .mypy_cache .ruff_cache
