"""Vietnamese alphabetical order (``plans.collation``)."""

import io
import unicodedata

import pytest
from django.core.management import call_command

from plans.collation import VietnameseOrder, sorted_vietnamese, vietnamese_key
from plans.models import Agency
from plans.tests.factories import AgencyFactory


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


# The database sorts as the key does: SQLite through the collation the portal registers,
# PostgreSQL through ICU's Vietnamese collation.

TRICKY_NAMES = [
    "Đài Phát thanh – Truyền hình tỉnh",
    "Dân tộc",
    "Ăn uống",
    "An ninh",
    "Âm nhạc",
    "Át chủ bài",
    "Ủy ban MTTQ Việt Nam tỉnh",
    "UBND huyện Điện Biên Đông",
    "UBND huyện Điện Biên",
    "Ưu tiên",
    "Sở Ngoại vụ",
    "Sở Nội vụ",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Báo Điện Biên Phủ",
    "Ban Dân tộc",
    "ba",
    "bà",
    "bả",
    "bã",
    "bá",
    "bạ",
]


@pytest.mark.django_db
def test_the_database_sorts_agencies_in_vietnamese_order():
    for name in TRICKY_NAMES:
        AgencyFactory(name=name, short_name=name)
    in_database = list(Agency.objects.order_by(VietnameseOrder("name")).values_list("name", flat=True))
    assert in_database == sorted_vietnamese(TRICKY_NAMES)
    assert in_database.index("Dân tộc") < in_database.index("Đài Phát thanh – Truyền hình tỉnh")


@pytest.mark.django_db
def test_the_database_and_the_key_agree_on_every_agency_of_plan_139():
    call_command("load_plan139", stdout=io.StringIO())
    for field in ("name", "short_name"):
        in_database = list(
            Agency.objects.order_by(VietnameseOrder(field), "pk").values_list(field, flat=True)
        )
        assert in_database == sorted_vietnamese(in_database), field
