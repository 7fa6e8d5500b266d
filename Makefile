# Two commands matter: `make run` (set up and serve on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
DEMO_PASSWORD_FILE := .demo-password

.PHONY: install install-dev run test lint messages migrate seed screenshots check-recovery bench backup check-restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# What production runs (requirements.txt); reinstalled only when it changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Tests and lint tools on top (requirements-dev.txt includes requirements.txt).
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Plan 139/KH-UBND, the demo accounts and the sample tasks; safe to repeat.
seed: migrate
	$(BIN)/python manage.py load_plan139
	@test -s $(DEMO_PASSWORD_FILE) || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(12))" > $(DEMO_PASSWORD_FILE)
	@$(BIN)/python manage.py seed_demo --password "$$(cat $(DEMO_PASSWORD_FILE))"

# The portal's own error pages (not Django's debug page): DEBUG off, static files served
# by runserver itself (--insecure, for this local server only). Links in emails use PORT.
run: seed
	@echo ""
	@echo "Tài khoản mẫu / demo accounts: admin, ngoaivu, sotttt, lanhdao"
	@echo "Mật khẩu / password: $$(cat $(DEMO_PASSWORD_FILE))   (kept in $(DEMO_PASSWORD_FILE))"
	@echo "Cổng / portal: http://127.0.0.1:$(PORT)/"
	@echo "Thư gửi đi / sent mail: sent-mail/ (tệp .log / .log files)"
	@echo ""
	DJANGO_DEBUG=false PORT=$(PORT) $(BIN)/python manage.py runserver --insecure 127.0.0.1:$(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style and errors (ruff) and the import contracts of pyproject.toml (import-linter).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

# The project's Vietnamese catalogues (locale/vi): compile after editing a .po (needs
# GNU gettext's msgfmt); the .mo files are kept in the repository.
messages:
	cd locale/vi/LC_MESSAGES && for po in *.po; do msgfmt --check -o "$${po%.po}.mo" "$$po"; done

# The README's screenshots and the guide's pictures (static/img/help), taken by the end-to-end
# tests (need Debian's chromium), and page 1
# of the periodic report (LibreOffice, then pdftoppm from poppler-utils).
screenshots: install-dev
	PORTAL_SCREENSHOT_DIR=docs/screenshots PORTAL_HELP_SCREENSHOT_DIR=static/img/help \
		$(BIN)/python -m pytest workspace/tests/test_browser.py \
		workspace/tests/test_reorganisation_browser.py workspace/tests/test_periodic_report_browser.py \
		workspace/tests/test_phone_browser.py dien_bien_portal/tests/test_help_browser.py \
		documents/tests/test_report.py::test_libreoffice_converts_the_report_to_pdf

# PostgreSQL restarted under load: gunicorn must recover on its own (README, "Tình trạng hệ thống / Health").
# Restarts this machine's PostgreSQL cluster: needs root; uses the database portal_recovery.
# Production packages only, as deployed.
check-recovery: install
	$(BIN)/python scripts/check_pg_recovery.py

# The province-scale benchmark (docs/architecture.md, Budgets): PostgreSQL, Redis, gunicorn and wrk on this
# machine; writes docs/benchmarks.md and fails when a budget is missed. BENCH_* variables
# tune it (python -m benchmarks.run --help). Production packages only, as deployed.
bench: install
	$(BIN)/python -m benchmarks.run

# Backup and restore test of a PostgreSQL deployment (docs/deployment.md). Both read
# DATABASE_URL and MEDIA_ROOT from the environment and refuse, saying why, without them.
BACKUP_DIR ?= backups
backup: install
	deploy/backup.sh --dest $(BACKUP_DIR)

# The newest backup of BACKUP_DIR, restored into a scratch database and compared.
check-restore: install
	deploy/check-restore.sh --latest $(BACKUP_DIR)
