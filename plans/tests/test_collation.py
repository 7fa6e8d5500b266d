"""Vietnamese alphabetical order (``plans.collation``)."""

import unicodedata

import pytest

from plans.collation import sorted_vietnamese, vietnamese_key


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Dân tộc", "Đài"),  # Đ after every D
        ("Duy", "Đa"),
        ("At", "Ăn"),  # Ă after every A
        ("Ăn", "Âm"),  # Â after Ă
        ("Ôn", "Ơ"),  # Ô before Ơ
        ("Uy", "Ưa"),  # Ư after every U
        ("Ưu", "Vân"),
        ("Ê", "Ga"),
        ("a", "à"),  # tones after the base letter: level, huyền, hỏi, ngã, sắc, nặng
        ("à", "ả"),
        ("ả", "ã"),
        ("ã", "á"),
        ("á", "ạ"),
        ("ạ", "b"),
        ("An", "Ào"),  # letters first, tones only between otherwise equal words
        ("Sở Ngoại vụ", "Sở Nội vụ"),
        ("Sở TT&TT", "Sở Tư pháp"),
        ("Sở Y tế", "UBND huyện Điện Biên"),
        ("UBND huyện Điện Biên", "UBND huyện Điện Biên Đông"),
        ("huyện", "Huyện"),  # case last
    ],
)
def test_vietnamese_order(before, after):
    assert vietnamese_key(before) < vietnamese_key(after)


def test_composed_and_decomposed_text_sort_alike():
    name = "Sở Văn hóa, Thể thao và Du lịch"
    assert vietnamese_key(unicodedata.normalize("NFD", name)) == vietnamese_key(name)


def test_sorted_vietnamese_sorts_objects_by_a_key():
    names = [
        "Thị xã Mường Lay",
        "Huyện Điện Biên Đông",
        "Huyện Điện Biên",
        "Huyện Mường Ảng",
        "Huyện Mường Chà",
    ]
    rows = [{"name": name} for name in names]
    assert [row["name"] for row in sorted_vietnamese(rows, key=lambda row: row["name"])] == [
        "Huyện Điện Biên",
        "Huyện Điện Biên Đông",
        "Huyện Mường Ảng",
        "Huyện Mường Chà",
        "Thị xã Mường Lay",
    ]
