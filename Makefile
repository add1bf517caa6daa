# One target per check. `make test` is what CI runs (through .ci/run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv test unit pythons e2e household lint format strings zip demo kodi-installed \
  test-installed clean repo check bench fuzz screenshots submission

$(VENV)/.ready: pyproject.toml Makefile
	@# Debian and Ubuntu ship Python's venv module in a package of its own
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { \
	  echo "apt-get install python3-venv (Python cannot make a venv)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install \
	    -y -qq --no-install-recommends python3-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "requests>=2.22" "pytest>=8" "responses>=0.23" "ruff>=0.6" \
	  "hypothesis>=6" "kodi-addon-checker==0.0.36" "PyQRCode==1.2.1" "zxing-cpp>=2.2" \
	  "pillow>=9" "setuptools>=64" "wheel"
	# the command-line runner (`simkl-ratings-sync`), editable: the tests run this tree
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV)/.ready

## test: installs what the tests need (test-installed), lint, then every test
test: venv lint test-installed
	$(PY) -m pytest

## unit: the fast tests only (no real Kodi)
unit: venv
	$(PY) -m pytest tests/unit tests/sandbox

## fuzz: the hostile-reply fuzz of the whole add-on, long: FUZZ_EXAMPLES runs of a sync against
## generated replies (default 2000; `make test` runs 40, the same ones every time), FUZZ_SEED
## for other examples than the default ones; prints hypothesis' counts and times (no log
## capture: pytest would keep every example's log lines)
FUZZ_EXAMPLES ?= 2000
fuzz: venv
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/unit/test_fuzz.py -q -p no:cacheprovider \
	  -p no:logging --hypothesis-show-statistics $(FUZZ_ARGS)

## pythons: the fast tests on Python 3.8, 3.13 and 3.14 (pyenv, PATH, or the Kodi chroots' 3.9,
## 3.13 and 3.14)
pythons:
	bash .ci/unit-pythons 3.8 3.13 3.14

## e2e: the real-Kodi tests only, on the host's Kodi (20.1 on Debian 12); KODI=19, 21 (or 20)
## runs them on that Kodi in a Debian chroot (.ci/kodi-chroot builds it once, as root);
## E2E_TESTS picks tests (default tests/e2e), E2E_ARGS passes more pytest arguments
KODI ?= host
E2E_TESTS ?= tests/e2e
e2e: venv zip
	@case "$(KODI)" in \
	  host) $(PY) -m pytest $(E2E_TESTS) $(E2E_ARGS) ;; \
	  *) bash .ci/kodi-chroot run $(KODI) $(PY) -m pytest $(E2E_TESTS) $(E2E_ARGS) ;; \
	esac

## screenshots: resources/screenshots/ and addon.xml's <assets> from the pictures of the newest
## real-Kodi run (make e2e first); KODI=20.1 (or 21, 21.3, ...) takes that Kodi's run
screenshots: venv
	$(PY) tools/screenshots.py $(if $(filter-out host,$(KODI)),--kodi $(KODI))

## household: the shared-library tests only: two real Kodi 20.1 on one throwaway MariaDB
## (host Kodi; tests/household, also part of `make test`); figures in test-output/household/;
## HOUSEHOLD_ARGS passes more pytest arguments
household: venv
	$(PY) -m pytest -m household tests/household $(HOUSEHOLD_ARGS)

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

# $(call apt-ensure,FILES,PACKAGES): apt-get install PACKAGES (with sudo when not root) unless
# every one of FILES is there already
apt-ensure = @missing=""; for f in $(1); do [ -e "$$f" ] || missing="$$missing $$f"; done; \
  if [ -n "$$missing" ]; then \
    echo "apt-get install $(2) (missing:$$missing)"; \
    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
    $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends $(2) >/dev/null; \
  fi
# Kodi and Xvfb run the add-on (tests/e2e, the demo); xwd (x11-apps) takes the screenshots
# ffmpeg: clips the rating window's bench and tests play
KODI_FILES := /usr/lib/x86_64-linux-gnu/kodi/kodi.bin /usr/bin/Xvfb /usr/bin/xwd /usr/bin/ffmpeg
KODI_PACKAGES := kodi kodi-bin xvfb x11-apps ffmpeg
# MariaDB: the shared-library tests (tests/household); openssl: the certificate of the official
# repository's stand-in (test_install_from_repo.py); ffmpeg: clips for the tests that play video
TEST_FILES := $(KODI_FILES) /usr/sbin/mariadbd /usr/bin/mariadb-install-db /usr/bin/mariadb \
  /usr/bin/mariadb-dump /usr/bin/openssl /usr/bin/ffmpeg
TEST_PACKAGES := $(KODI_PACKAGES) mariadb-server mariadb-client openssl ffmpeg

## kodi-installed: Kodi, Xvfb, xwd and ffmpeg from Debian/Ubuntu packages (sudo when not root)
kodi-installed:
	$(call apt-ensure,$(KODI_FILES),$(KODI_PACKAGES))

## test-installed: everything the tests need from Debian/Ubuntu packages (sudo when not root)
test-installed:
	$(call apt-ensure,$(TEST_FILES),$(TEST_PACKAGES))

## zip: the installable add-on zip in dist/ (SIMKL_CLIENT_ID=... packs a built-in client_id)
zip: venv
	$(PY) tools/build_zip.py

clean:
	rm -rf dist test-output .pytest_cache .ruff_cache

## repo: the add-on repository in dist/repo/ and dist/repository.simkl.ratings-<version>.zip;
## SIMKL_REPO_URL=https://<user>.github.io/<repo>/ sets the address it will be published at
repo: venv
	$(PY) tools/build_repo.py

## check: lint, the static checks and kodi-addon-checker (offline mirror; matrix, nexus, omega, piers)
check: venv lint
	$(PY) -m pytest -q tests/unit/test_static.py tests/unit/test_string_ids.py
	$(PY) tools/addon_check.py

## submission: dist/submission/script.simkl.ratings/, the folder a pull request to Kodi's official
## repository (xbmc/repo-scripts, branch matrix) adds, checked; prints the steps that follow.
## SIMKL_CLIENT_ID=... builds the add-on's Simkl client ID in (docs/SUBMISSION.md);
## SUBMISSION_BRANCH=piers aims at another branch
submission: venv
	$(PY) tools/submission.py $(if $(SUBMISSION_BRANCH),--branch $(SUBMISSION_BRANCH))

## bench: the benchmark (real Kodi with 10,000 movies / 1,000 shows against the floor, the engine
## at 50k-200k items, idle cost, UI latency); prints one table, writes test-output/bench/bench.json
bench: venv kodi-installed
	$(PY) -m tools.bench
