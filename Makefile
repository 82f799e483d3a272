# The two commands a newcomer needs:  make run  and  make test  (see README.md).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_PASSWORD ?= pmo-demo-2026
PYTEST_ARGS ?=

# Debian packages: gettext (compilemessages), WeasyPrint's Pango, CJK fonts, fast font subsetting.
DEB_RUN  := gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk libharfbuzz-subset0
# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
DEB_TEST := chromium poppler-utils

.PHONY: bench bench-pdf bench-diff chaos run test setup setup-test system-packages system-packages-test messages migrate check deploy-check clean

run: setup migrate ## Set everything up, load the demo and serve on http://127.0.0.1:8000
	$(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	@echo
	@echo "  PMO Portal: http://$(HOST):$(PORT)/"
	@echo "  Sign in as pmo, pm, security, vendor-a, vendor-b or reader, password: $(DEMO_PASSWORD)"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup-test ## Install what the suite needs and run all of it (DATABASE_URL / CELERY_BROKER_URL if set)
	$(VENV)/bin/ruff check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system-packages $(VENV)/.runtime messages
setup-test: system-packages system-packages-test $(VENV)/.dev messages

migrate: setup
	$(PY) manage.py migrate --noinput

messages: $(VENV)/.runtime
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Installs missing Debian packages when run as root; otherwise prints the exact command and stops.
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "These Debian packages are missing. Install them with:"; \
	    echo "  sudo apt-get install -y $$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

system-packages:
	$(call apt_install,$(DEB_RUN))

system-packages-test:
	$(call apt_install,$(DEB_TEST))

check: setup ## Production settings pass Django's deployment checklist
	DJANGO_ENV=production DJANGO_SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	DJANGO_ALLOWED_HOSTS=portal.example.com $(PY) manage.py check --deploy --fail-level WARNING

bench: system-packages $(VENV)/.dev messages ## Speed goals as side-by-side ratios on a real stack (PostgreSQL, Redis, gunicorn, worker, wrk)
	$(call apt_install,wrk redis-server postgresql-client)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-pdf: setup-test ## PDF speed: export job vs raw WeasyPrint (50 pages, 40 screenshots), Japanese vs English page
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0
	$(PY) bench/bench_pdf.py

bench-diff: setup ## Visual diff of a 1920×1080 pair ÷ decoding the pair (goal ≤ 1.5)
	$(PY) bench/bench_diff.py

chaos: setup-test ## Break a real stack (PostgreSQL, Redis, gunicorn, worker, beat) and check that jobs hold
	$(call apt_install,redis-server postgresql-client faketime)
	$(PY) scripts/chaos.py

clean:
	rm -rf $(VENV) var staticfiles
	find . -name '*.mo' -path './locale/*' -delete
