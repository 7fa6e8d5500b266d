"""Settings family: ``base`` holds everything, driven by environment variables.

``dev`` is the embedded default (SQLite, console email, no broker), ``test`` is what
pytest uses, ``production`` refuses to start without a secret key and allowed hosts.
"""
