# Two set-up commands for a fresh machine with only Python 3.11+: `make run` and `make test`.
# Both create (or reuse) the project-local virtual environment .venv by themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck check bench bench-quick bench-views wrk soak faults-long fuzz stop services status clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## Run the whole system: web, Celery worker and beat, Kafka consumer and relay.
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python -m collectioncrm.runner

## Run the full test suite (embedded servers unless *_URL / KAFKA_BROKERS are set).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Fuzz the API from its OpenAPI document with a large, random example budget (the suite runs
## the same tests with a small, fixed one). FUZZ_EXAMPLES=N per operation and role.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} FUZZ_STATEFUL_EXAMPLES=$${FUZZ_STATEFUL_EXAMPLES:-100} \
	FUZZ_RANDOM=1 $(BIN)/python -m pytest -p no:cacheprovider \
		tests/security/test_fuzz_api.py $(PYTEST_ARGS)

## Lint: ruff, and the import-linter contracts (dependencies point one way, pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy's Django plugin imports the settings: give it values that start nothing.
TYPECHECK_ENV := EMBEDDED_SERVICES=false SECRET_KEY=typecheck JWT_SECRET=typecheck \
	DATABASE_URL=postgres://typecheck@127.0.0.1:1/typecheck REDIS_URL=redis://127.0.0.1:1/0 \
	KAFKA_BROKERS=127.0.0.1:1
typecheck: $(STAMP)
	$(TYPECHECK_ENV) $(BIN)/mypy .

check: lint typecheck test

## Load benchmark (issue 11; bench/README.md): generated bank-scale data, gunicorn, wrk, every
## endpoint at 8/32/64 connections, Kafka paths. Figures, never pass/fail. Results in
## bench/results/. BENCH_ARGS="--scale 0.1 --keep" for a smaller, reusable data set.
bench: $(STAMP) wrk
	$(BIN)/python -m bench $(BENCH_ARGS)

## The same end to end in about a minute, to check that the harness works (CI runs it).
bench-quick: $(STAMP) wrk
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

## Report-view refresh time and in-process latency of the performance endpoints.
bench-views: $(STAMP)
	$(BIN)/python scripts/bench_performance.py $(BENCH_ARGS)

# wrk from Debian's packages; installed when missing and we are root.
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "installing wrk"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: sudo apt-get install wrk"; exit 1; fi; }

## Soak (soak/README.md): 10 minutes, 32 clients, a fault every minute, exact reconciliation
## and memory per process. SOAK_ARGS="--duration 60 --fault-every 20" is the CI version.
soak: $(STAMP)
	$(BIN)/python soak/soak.py $(SOAK_ARGS)

## The fault tests at full length: broker down a whole minute, a stream of 10,000 events.
faults-long: $(STAMP)
	FAULTS_BROKER_DOWN_SECONDS=60 FAULTS_STREAM=10000 $(BIN)/python -m pytest -s -m "slow or quarantine" tests/faults $(PYTEST_ARGS)

## Start / stop / show the embedded PostgreSQL, Redis and Kafka.
services: $(STAMP)
	$(BIN)/python -m collectioncrm.devstack up

stop: $(STAMP)
	$(BIN)/python -m collectioncrm.devstack down

status: $(STAMP)
	$(BIN)/python -m collectioncrm.devstack status

clean: stop
	rm -rf .devstack
