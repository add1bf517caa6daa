# One target per check. `make test` is what CI runs (through .ci/run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv test unit e2e lint format strings zip demo kodi-installed clean

$(VENV)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "requests>=2.22" "pytest>=7" "responses>=0.23" "ruff>=0.6"
	touch $@

venv: $(VENV)/.ready

## test: lint, then every test (real-Kodi tests run when Kodi is installed; CI=true requires it)
test: venv lint
	$(PY) -m pytest

## unit: the fast tests only (no real Kodi)
unit: venv
	$(PY) -m pytest tests/unit tests/sandbox

## e2e: the real-Kodi tests only
e2e: venv zip
	$(PY) -m pytest tests/e2e

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## strings: regenerate strings.po and kodi/strings.py from tools/strings_table.py
strings:
	$(PYTHON) tools/gen_strings.py

## demo: real headless Kodi + local Simkl sandbox: sign in, sync, before/after table
demo: venv kodi-installed
	$(PY) tools/demo.py

## kodi-installed: Kodi and Xvfb from Debian/Ubuntu packages (sudo when not root)
kodi-installed:
	@if [ ! -x /usr/lib/x86_64-linux-gnu/kodi/kodi.bin ] || ! command -v Xvfb >/dev/null \
	  || ! command -v xwd >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends kodi kodi-bin xvfb x11-apps >/dev/null; \
	fi

## zip: the installable add-on zip in dist/ (SIMKL_CLIENT_ID=... packs a built-in client_id)
zip: venv
	$(PY) tools/build_zip.py

clean:
	rm -rf dist test-output .pytest_cache .ruff_cache
