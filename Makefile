# Two entry points: `make demo` and `make test`. Each builds .venv/ on first use from
# pyproject.toml pinned by constraints.txt; only Python 3.11+ and make are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-scale lock clean system-packages

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("notifier needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/notifier demo

# The tests read PDFs with poppler as a print house would (pdfinfo, pdffonts, pdftotext) and drive
# the staff pages in Debian's chromium (Playwright, axe-core); notifier itself needs nothing outside
# PyPI. Installed from Debian's packages when missing (as root, or with sudo).
system-packages:
	@command -v pdftotext >/dev/null && command -v pdffonts >/dev/null && command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils chromium >/dev/null; }

test: $(STAMP) system-packages
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

# Re-resolve every dependency to its newest release and pin the result.
lock:
	rm -rf /tmp/notifier-lock && $(PYTHON) -m venv /tmp/notifier-lock
	/tmp/notifier-lock/bin/pip install --quiet -e '.[test,bench]'
	(echo '# Pinned versions for every dependency (direct and transitive); `make lock` regenerates it.'; \
	 /tmp/notifier-lock/bin/pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf $(VENV) var
