# Amity: `make demo` runs it, `make test` tests it. Everything installs into this checkout.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),.uv/bin/uv)
PY := .venv/bin/python
STAMP := .make

.PHONY: install demo test test-postgres lint format bench openapi assets clean

install: $(STAMP)/python $(STAMP)/assets

.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP)/python: pyproject.toml uv.lock | $(if $(shell command -v uv 2>/dev/null),,.uv/bin/uv)
	$(UV) sync --frozen --quiet
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/node: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

ASSET_SOURCES := $(shell find src/amity/web/assets -type f 2>/dev/null) build-assets.mjs
$(STAMP)/assets: $(STAMP)/node $(ASSET_SOURCES)
	node build-assets.mjs
	@mkdir -p $(STAMP) && touch $@

assets: $(STAMP)/assets

demo: install
	.venv/bin/amity demo

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports
	AMITY_ENV=test .venv/bin/amity manage makemigrations --check --dry-run

format: install
	.venv/bin/ruff check --fix src tests bench
	.venv/bin/ruff format src tests bench

openapi: install
	AMITY_ENV=test .venv/bin/amity manage export_openapi > docs/openapi.json

# Only the Python environment: the scenarios measure the server, not the built assets.
bench: $(STAMP)/python
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(STAMP) static/build var/staticfiles
