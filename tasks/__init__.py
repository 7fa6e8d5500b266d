"""Background work (reminders) runs here; it calls plans' selectors and services, and
``plans`` never imports it (DESIGN §3)."""
