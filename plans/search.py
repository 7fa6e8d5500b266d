"""Search of Vietnamese text with or without tones, the one definition.

``fold`` takes text to what a search compares: lower case, tones and letter marks
removed, "đ" read as "d" ("Điện Biên" → "dien bien"). A search word matches when the
folded text contains the folded word, so "dien bien", "Điện Biên" and "ĐIỆN BIÊN" find
the same rows, and "d" finds "đ".

The database folds the same way through ``Folded``: SQLite with ``fold`` itself
(registered on each connection by ``plans.sqlite``), PostgreSQL with ``translate()``
over the table that ``fold`` gives for every precomposed Latin letter. ``translate()``
is built in: no extension (``unaccent`` needs rights a production database may not
give), and it does not depend on the database's locale as ``lower()`` does.
"""

import functools
import unicodedata

from django.db.models import CharField, Func, Value

SQLITE_FUNCTION = "portal_fold"
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


def _translate_table() -> tuple[str, str]:
    """Every upper-case ASCII and precomposed Latin letter (Latin-1 to Latin Extended
    Additional, where Vietnamese letters live) that ``fold`` changes into one character."""
    sources, targets = [], []
    code_points = [*range(ord("A"), ord("Z") + 1), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    for code_point in code_points:
        char = chr(code_point)
        folded = _fold_char(char)
        if folded != char and len(folded) == 1:
            sources.append(char)
            targets.append(folded)
    return "".join(sources), "".join(targets)


TRANSLATE_FROM, TRANSLATE_TO = _translate_table()


class Folded(Func):
    """``annotate(folded=Folded("title"))``: the column as ``fold`` gives it, in SQL."""

    function = SQLITE_FUNCTION
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        translated = Func(
            *self.source_expressions,
            Value(TRANSLATE_FROM),
            Value(TRANSLATE_TO),
            function="translate",
            output_field=CharField(),
        )
        return translated.as_sql(compiler, connection, **extra_context)
