# Two commands on a fresh machine: `make run` (set up and start the app) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test test-fast lint assets-check setup init serve datapackage messages lock basemap

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs exactly the locked versions (requirements/*.txt, with hashes), then the
# project itself without resolving anything again. Re-installs when a lock changes.
$(VENV)/.installed-app: requirements/app.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/app.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-app

LOCK_FLAGS := --quiet --strip-extras --generate-hashes --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

## Refresh the lock files on purpose: newest releases within pyproject.toml's bounds.
## Then run `make test` and commit pyproject.toml and requirements/ together.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade --extra test -o requirements/test.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade -c requirements/test.txt -o requirements/app.txt pyproject.toml

setup: $(VENV)/.installed-app

## Create or upgrade the database and load the seed registry when it is empty.
init: setup
	$(BIN)/atlas init --seed

## Set everything up and start the app on http://localhost:$(PORT)
run: init
	$(BIN)/atlas serve --port $(PORT)

## Set up, check the contracts and run the whole test suite (SQLite, PostgreSQL, AppTest, browser).
test: lint
	$(BIN)/python -m pytest

## The everyday loop: contracts, then every test not marked slow (no browser, no subprocesses).
test-fast: lint
	$(BIN)/python -m pytest -m "not slow" -q

## Import contracts (import-linter: layers, Streamlit only in ui, drivers only in registry),
## ruff (pyflakes, bugbear, complexity, import order) and the map script's unit tests.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	node --test assets/test/

## The vendored front-end files equal a fresh install of assets/package-lock.json (CI).
assets-check:
	cd assets && npm ci --no-audit --no-fund --silent && npm run --silent vendor
	git diff --exit-code -- atlas_app/ui/static
	test -z "$$(git status --porcelain -- atlas_app/ui/static)"

## Regenerate the basemap's place names (ui/static/basemap/places*.json, names-<lang>.json)
## from GeoNames and CLDR.
basemap: setup
	$(BIN)/python -m atlas_app.maps.basemap

## Regenerate data/datapackage.json after changing the schema or the sectors.
datapackage: setup
	$(BIN)/atlas schema > data/datapackage.json

## Extract translatable messages and merge them into every catalogue (then translate).
messages: setup
	$(BIN)/pybabel extract -k _ -k N_ -k ngettext:1,2 --no-location --omit-header -o atlas_app/locale/atlas.pot atlas_app
	for po in atlas_app/locale/*.po; do \
		$(BIN)/pybabel update --ignore-obsolete -i atlas_app/locale/atlas.pot -o $$po \
			-l $$(basename $$po .po) --no-fuzzy-matching; done
