"""Background jobs (Celery): the deadline reminders (policy, ledger, daily sweep,
digests), the notice of a returned report, and beat's heartbeat.

Not the plan's tasks: those are ``plans.Task``. The name follows Celery's convention of
``tasks.py`` modules. This app calls plans' selectors and services; ``plans`` never
imports it (docs/architecture.md, Apps)."""
