# Two set-up commands for a fresh machine with only Python 3.11+: `make run` and `make test`.
# Both create (or reuse) the project-local virtual environment .venv by themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test fuzz install lint typecheck check bench stop services status clean

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
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} FUZZ_RANDOM=1 $(BIN)/python -m pytest -p no:cacheprovider \
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

## Benchmarks (figures, never pass/fail): performance endpoint on 1,000,000 action records,
## then Kafka end-to-end throughput. BENCH_ARGS="--rows 200000" for a quicker run.
bench: $(STAMP)
	$(BIN)/python scripts/bench_performance.py $(BENCH_ARGS)
	$(BIN)/python scripts/kafka_throughput.py

## Start / stop / show the embedded PostgreSQL, Redis and Kafka.
services: $(STAMP)
	$(BIN)/python -m collectioncrm.devstack up

stop: $(STAMP)
	$(BIN)/python -m collectioncrm.devstack down

status: $(STAMP)
	$(BIN)/python -m collectioncrm.devstack status

clean: stop
	rm -rf .devstack
