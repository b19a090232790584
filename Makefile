# The two commands that matter: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sovereign_ai
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sovereign_ai_bench
BENCHES := registry data usage fingerprint eval leaderboard scale arena samples

.PHONY: run test lint fuzz screenshots install bench $(addprefix bench-,$(BENCHES)) messages clean

run: $(STAMP)
	scripts/run.sh

test: $(STAMP)
	scripts/ensure_services.sh "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"
	scripts/ensure_chromium.sh
	scripts/ensure_sandbox.sh
	$(MAKE) --no-print-directory lint
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/pytest $(PYTEST_ARGS)

# The layers and the style: a forbidden import, an import cycle, a lint error or unformatted code fails.
lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The schemathesis command line against a live server (gunicorn, PostgreSQL, Redis, rate limits off), four
# roles, FUZZ_EXAMPLES (200) examples per operation, a new seed each run: report in docs/fuzzing.md.
# FUZZ_SEED, FUZZ_ROLES, FUZZ_MAX_TIME (seconds per role), FUZZ_PORT: see scripts/fuzz.sh.
fuzz: $(STAMP)
	scripts/fuzz.sh

# Re-take docs/screenshots/*.png: the browser journeys save the key pages as they pass them.
screenshots: $(STAMP)
	scripts/ensure_services.sh "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"
	scripts/ensure_chromium.sh --fonts
	SCREENSHOTS_DIR="$(CURDIR)/docs/screenshots" DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
		$(BIN)/pytest tests/browser -q -p no:cacheprovider

install: $(STAMP)

# Timing figures: every benchmark in bench/, then docs/performance.md rewritten (never asserted in tests).
# `make bench-usage` (registry, data, usage, fingerprint, eval, leaderboard, arena, samples) reruns one and rewrites its section.
bench: $(STAMP)
	scripts/ensure_services.sh "$(BENCH_DATABASE_URL)" "$(TEST_REDIS_URL)"
	command -v wrk >/dev/null || scripts/apt_install.sh wrk
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" BENCH_REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/python bench/run_all.py

$(addprefix bench-,$(BENCHES)): $(STAMP)
	scripts/ensure_services.sh "$(BENCH_DATABASE_URL)" "$(TEST_REDIS_URL)"
	command -v wrk >/dev/null || scripts/apt_install.sh wrk
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" BENCH_REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/python bench/run_all.py $(@:bench-%=%)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (the project runs on Python 3.11)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip
	$(BIN)/pip install -qq -c constraints.txt -e ".[test]"
	touch $(STAMP)

# Re-extract and compile the Korean catalogue after changing user-facing text.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l ko --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var .pytest_cache
