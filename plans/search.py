"""Search of Vietnamese text with or without tones, the one definition.

``fold`` takes text to what a search compares: lower case, tones and letter marks
removed, "đ" read as "d" ("Điện Biên" → "dien bien"). A search word matches a text
when the folded text contains the folded word, so "dien bien", "Điện Biên" and
"ĐIỆN BIÊN" find the same rows, and "d" finds "đ".

The database tests the same without folding each row: ``word_pattern`` writes the
folded word as a regular expression in which each letter stands for every character
that ``fold`` takes to it ("d" → "[dDđĐ]", "e" → "[eEèéẻẽẹêềếểễệ…]"), and ``contains``
matches it against the stored text (Django's ``regex`` lookup: Python's ``re`` on
SQLite, PostgreSQL's own regular expressions). No extension (``unaccent`` needs rights
a production database may not give), no reliance on the database's locale for case,
and no function computed over every row: the regular expression is compiled once per
search.
"""

import functools
import unicodedata

from django.db.models import Q

MAX_WORDS = 8


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base.lower()


@functools.lru_cache(maxsize=4096)
def fold(text: str | None) -> str | None:
    """``text`` as a search compares it; None stays None (SQL NULL)."""
    if text is None:
        return None
    return "".join(_fold_char(char) for char in unicodedata.normalize("NFC", str(text)))


def search_words(query: str) -> list[str]:
    """The folded words of a search box's text, at most ``MAX_WORDS``, each once."""
    words = []
    for word in fold(query or "").split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def _variants() -> dict[str, str]:
    """For each letter, every precomposed Latin character (ASCII, Latin-1 to Latin
    Extended Additional, where Vietnamese letters live) that ``fold`` takes to it."""
    variants: dict[str, list[str]] = {}
    code_points = [*range(0x20, 0x7F), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    for code_point in code_points:
        char = chr(code_point)
        folded = _fold_char(char)
        if len(folded) == 1 and folded.isalpha() and folded.isascii():
            variants.setdefault(folded, []).append(char)
    return {letter: "".join(chars) for letter, chars in variants.items()}


VARIANTS = _variants()


@functools.lru_cache(maxsize=512)
def word_pattern(word: str) -> str:
    """A regular expression (of the syntax Python and PostgreSQL share) that finds
    ``word``, already folded, in text written with or without tones, in any case."""
    parts = []
    for char in word:
        if char in VARIANTS:
            parts.append(f"[{VARIANTS[char]}]")
        elif char.isalnum():
            parts.append(char)
        else:
            parts.append("\\" + char)  # punctuation, literally ("139/kh", "5.1")
    return "".join(parts)


def contains(field: str, word: str) -> Q:
    """Rows whose ``field`` contains ``word`` (folded), tones and case aside."""
    return Q(**{f"{field}__regex": word_pattern(word)})
