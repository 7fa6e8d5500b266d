"""Vietnamese alphabetical order, the one definition for every list a user reads.

The order of Vietnamese dictionaries (and of CLDR's Vietnamese collation): the letters
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y are compared first; then the
tones, level before huyền, hỏi, ngã, sắc, nặng; then case. So "Đ" comes after every
"D", "Ă" and "Â" after every "A", and "à" right after "a", before "b".

ICU does this too, but PyICU needs a system build of ICU; this key needs nothing. The
database sorts the same way through ``VietnameseOrder``: SQLite with this key (registered
on each connection by ``plans.sqlite``), PostgreSQL with its ICU collation of Vietnamese
(CLDR's, the same order; a test compares the two).
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db.models.functions import Collate

T = TypeVar("T")

# Latin letters in Vietnamese order; f, j, w and z (foreign words) where Latin puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}

# Marks that make a letter of its own (ă â ê ô ơ ư), composed back onto the base.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tones, in dictionary order after the level tone (0).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str):
    """(letter, tone, is upper case) for each base character of ``text``, marks folded."""
    letters = []
    for char in unicodedata.normalize("NFD", text):
        if char in _TONES and letters:
            letters[-1][1] = _TONES[char]
        elif char in _LETTER_MARKS and letters:
            letters[-1][0] = unicodedata.normalize("NFC", letters[-1][0] + char)
        elif unicodedata.combining(char) and letters:
            continue  # another mark (a foreign name's): ignored
        else:
            letters.append([char, 0, char != char.lower()])
    return letters


@functools.lru_cache(maxsize=8192)
def vietnamese_key(text: str) -> tuple:
    """A sort key giving Vietnamese order: ``sorted(names, key=vietnamese_key)``."""
    letters = _letters(text or "")
    primary = []
    for letter, _tone, _upper in letters:
        lower = letter.lower()
        if lower in _LETTER_RANK:
            primary.append((1, _LETTER_RANK[lower]))
        else:
            # Spaces, digits and punctuation before letters, among themselves by code.
            primary.append((0, ord(lower)))
    tones = tuple(tone for _letter, tone, _upper in letters)
    cases = tuple(upper for _letter, _tone, upper in letters)
    return (tuple(primary), tones, cases)


def sorted_vietnamese(items: Iterable[T], *, key: Callable[[T], str] = str) -> list[T]:
    """``items`` in Vietnamese order of ``key(item)`` (their text by default)."""
    return sorted(items, key=lambda item: vietnamese_key(key(item)))


def vietnamese_compare(left: str, right: str) -> int:
    """-1, 0 or 1, as a database collation compares (SQLite's ``create_collation``)."""
    left_key, right_key = vietnamese_key(left), vietnamese_key(right)
    return (left_key > right_key) - (left_key < right_key)


class VietnameseOrder(Collate):
    """``order_by(VietnameseOrder("name"))``: the database sorts the column in Vietnamese
    order (SQLite with ``vietnamese_key``, PostgreSQL with ICU's Vietnamese collation)."""

    COLLATIONS = {"sqlite": "vietnamese", "postgresql": "vi-x-icu"}

    def __init__(self, expression):
        super().__init__(expression, self.COLLATIONS["postgresql"])

    def as_sql(self, compiler, connection, **extra_context):
        collation = self.COLLATIONS.get(connection.vendor)
        if collation is None:  # another database: its own order
            return compiler.compile(self.source_expressions[0])
        extra_context["collation"] = connection.ops.quote_name(collation)
        return super().as_sql(compiler, connection, **extra_context)
