"""Argument types shared by the management commands."""

import datetime

from django.core.management.base import CommandError


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ngày “{value}” không hợp lệ; viết theo dạng YYYY-MM-DD.") from exc
