"""Deployment: systemd units, nginx site, backup and restore scripts, and the backup
manifest (``manage.py backup_manifest``) that those scripts compare."""
