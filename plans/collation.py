"""Vietnamese alphabetical order, the one definition for every list a user reads.

The order of Vietnamese dictionaries (and of CLDR's Vietnamese collation): the letters
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y are compared first; then the
tones, level before huyền, hỏi, ngã, sắc, nặng; then case. So "Đ" comes after every
"D", "Ă" and "Â" after every "A", and "à" right after "a", before "b".

ICU does this too, but PyICU needs a system build of ICU; this key needs nothing.
"""

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

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
