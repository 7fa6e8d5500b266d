"""Case-insensitive search of Vietnamese text on SQLite.

SQLite's LIKE folds case for ASCII letters only, so an admin search for "điện biên" would
miss "Điện Biên" on the embedded default database (PostgreSQL's UPPER() handles it).
SQLite lets an application replace like(); this one folds case for every letter.
"""

import functools
import re

from plans.collation import VietnameseOrder, vietnamese_compare


@functools.lru_cache(maxsize=256)
def _like_regex(pattern, escape):
    parts, chars = [], iter(pattern)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern, value, escape=None):
    if pattern is None or value is None:
        return None
    return _like_regex(pattern, escape).fullmatch(str(value)) is not None


def install_unicode_like(sender, connection, **kwargs):
    """``connection_created`` receiver: replace LIKE on SQLite connections, and add the
    Vietnamese collation that ``plans.collation.VietnameseOrder`` sorts with."""
    if connection.vendor != "sqlite":
        return
    for arity in (2, 3):
        connection.connection.create_function("like", arity, unicode_like, deterministic=True)
    connection.connection.create_collation(VietnameseOrder.COLLATIONS["sqlite"], vietnamese_compare)
