"""The plan import after a reorganisation: a row that names an agency that has ended
(by its old full name, short name or code) is refused, and the message offers the
agencies that carry its work today; the current agencies import as before."""

import datetime

import pytest

from documents.imports import import_preview
from documents.tests.test_import import known, plan, xlsx  # noqa: F401 (fixtures)
from plans.models import Agency, Reorganisation
from plans.selectors import ReorganisationSpec
from plans.services import reorganisation_apply
from plans.tests.factories import AgencyFactory
from plans.tests.fixtures import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_old_name_is_refused_with_its_successors(plan, known, django_user_model):  # noqa: F811
    khcn = AgencyFactory(code="so-khcn", name="Sở Khoa học và Công nghệ", short_name="Sở KH&CN")
    vh = AgencyFactory(code="so-vhttdl", name="Sở Văn hóa, Thể thao và Du lịch", short_name="Sở VH,TT&DL")
    coordinator = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    spec = ReorganisationSpec(
        kind=Reorganisation.Kind.SPLIT,
        effective_on=D(2025, 3, 1),
        predecessors=(known["tttt"],),
        successors=(khcn, vh),
        legal_basis="01/NQ-HĐND",
        legal_basis_date=D(2025, 2, 20),
    )
    reorganisation_apply(spec=spec, user=coordinator, today=D(2026, 12, 1))
    rows = [
        ["5.1", 5, "Nhiệm vụ", "", "Sở TT&TT", "", "Hằng quý"],
        ["5.2", 5, "Nhiệm vụ", "", "Sở VH,TT&DL", "so-tttt", "Hằng quý"],
    ]
    preview = import_preview(plan=plan, file=xlsx(rows))
    message = (
        "Sở Thông tin và Truyền thông đã ngừng hoạt động từ 01/03/2025; nay là: Sở Khoa học và Công nghệ; "
        "Sở Văn hóa, Thể thao và Du lịch. Hãy ghi cơ quan hiện nay."
    )
    assert preview.rows[0].errors == [f"Cơ quan chủ trì: {message}"]
    assert preview.rows[1].errors == [f"Cơ quan phối hợp: {message}"]
    assert Agency.objects.get(code="so-tttt").ended_on == D(2025, 3, 1)
