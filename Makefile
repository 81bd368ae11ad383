# Two commands a newcomer needs (see README.md): `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test install lint messages

$(VENV)/.installed: pyproject.toml
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# axe-core for the accessibility browser tests (tests/test_a11y.py); npm from Debian, no browser download
	command -v npm >/dev/null && (cd tests && npm ci --no-audit --no-fund --silent) || echo "npm missing: tests/test_a11y.py needs axe-core (cd tests && npm ci)"
	touch $@

install: $(VENV)/.installed

# The portal as its users see it: DEBUG off (Chinese error pages, no debug page), static files collected
# and served by whitenoise, a local secret key in var/, the demo accounts listed on the sign-in page.
DEMO_ENV := DJANGO_DEMO=true DJANGO_DEBUG=false

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(DEMO_ENV) $(PY) manage.py seal_demo_ca
	$(DEMO_ENV) $(PY) manage.py seed_demo --sample
	@echo ""
	@echo "  Open http://127.0.0.1:8000/  (password of every demo account: linkage-demo)"
	@echo "  clerk · office · convener · president · assessor · admin · leader-police · liaison-<unit>, e.g. liaison-bank-icbc"
	@echo "  a second county court: clerk-2 · office-2 · convener-2 · president-2 · liaison-2-<unit>; the city's court: supervisor"
	@echo "  (the sign-in page lists every account with its role and unit)"
	@echo "  The clocks of the full deployment (reminders, sweeps, sealing) run beside it: manage.py run_clocks"
	@echo ""
# The clocks in the background, the server in the foreground; Ctrl-C (or the server ending) stops both.
	@$(DEMO_ENV) $(PY) manage.py run_clocks --stop-with-parent & clocks=$$!; \
	trap 'kill $$clocks 2>/dev/null; wait $$clocks 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install
	bash scripts/test.sh $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

messages: install
	cd . && $(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv && $(PY) manage.py compilemessages --ignore=.venv
