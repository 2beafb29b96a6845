# Two entry points: `make demo` and `make test`. Each builds .venv/ on first use from
# pyproject.toml pinned by constraints.txt; only Python 3.11+ and make are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-scale bench-e2e lock clean system-packages audit-deps advisories

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("notifier needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/notifier demo

# Known vulnerabilities in exactly the versions pinned in constraints.txt (.ci/audit_deps.py, with
# .venv's python): every pin against the advisory copy in .ci/advisories/, and each pin that is its
# project's latest release against PyPI's vulnerability data for it. Fails on a finding not accepted in
# .ci/accepted-vulnerabilities.toml, on an accepted entry past its review-by date, and when PyPI
# cannot be reached. Without the network: make audit-deps AUDIT_FLAGS=--offline (also for make test).
AUDIT_FLAGS ?=
audit-deps: $(STAMP)
	$(BIN)/python .ci/audit_deps.py $(AUDIT_FLAGS)

# Rewrite .ci/advisories/ from a clone or mirror of the PyPA advisory database, keeping only the
# packages pinned in constraints.txt: make advisories SOURCE=/path/to/advisory-database [REV=commit].
# Its files are YAML, read with the PyYAML pinned in constraints.txt in a throwaway venv.
REV ?= HEAD
advisories:
	@test -n "$(SOURCE)" || { echo 'usage: make advisories SOURCE=/path/to/advisory-database [REV=commit]' >&2; exit 2; }
	rm -rf /tmp/notifier-advisories && $(PYTHON) -m venv /tmp/notifier-advisories
	/tmp/notifier-advisories/bin/pip install --quiet -c constraints.txt PyYAML packaging
	/tmp/notifier-advisories/bin/python .ci/audit_deps.py --refresh-advisories "$(SOURCE)" --rev "$(REV)"

# The tests read PDFs with poppler as a print house would (pdfinfo, pdffonts, pdftotext) and drive
# the staff pages in Debian's chromium (Playwright, axe-core); notifier itself needs nothing outside
# PyPI. Installed from Debian's packages when missing (as root, or with sudo).
system-packages:
	@command -v pdftotext >/dev/null && command -v pdffonts >/dev/null && command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils chromium >/dev/null; }

test: $(STAMP) audit-deps system-packages
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	$(BIN)/python bench/intake.py --rows 100000
	$(BIN)/python bench/addresses.py
	$(BIN)/python bench/render.py --letters 5000 --jobs 2
	$(BIN)/python bench/batch.py --letters 5000

# Needs PostgreSQL and Redis (NOTIFIER_TEST_POSTGRES_URL, NOTIFIER_TEST_REDIS_URL or the local defaults).
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py --letters 50000 --workers 1,2

bench-e2e: $(STAMP)
	$(BIN)/python bench/e2e.py --decisions 100000 --jobs 2

# Re-resolve every dependency to its newest release and pin the result.
lock:
	rm -rf /tmp/notifier-lock && $(PYTHON) -m venv /tmp/notifier-lock
	/tmp/notifier-lock/bin/pip install --quiet -e '.[test,bench]'
	(echo '# Pinned versions for every dependency (direct and transitive); `make lock` regenerates it.'; \
	 /tmp/notifier-lock/bin/pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf $(VENV) var
