import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Decree 30/2020/NĐ-CP numbering: a number, optionally the year, then the symbol made of
# the document type and the issuer, e.g. 139/KH-UBND, 18/2018/QĐ-UBND, 735/UBND-NC,
# …/BC-SNgV. Symbol parts start with a capital letter.
_SYMBOL_PART = r"[A-ZĐ][A-Za-zĐđ&]*"
DOCUMENT_NUMBER_RE = re.compile(rf"^\d+(?:/(?:19|20)\d\d)?/{_SYMBOL_PART}(?:-{_SYMBOL_PART})*$")


def validate_document_number(value):
    if not DOCUMENT_NUMBER_RE.match(value or ""):
        raise ValidationError(
            "Số, ký hiệu văn bản “%(value)s” không đúng mẫu. Viết theo dạng "
            "“139/KH-UBND” hoặc “18/2018/QĐ-UBND” (số/năm nếu có/ký hiệu loại văn bản-cơ quan).",
            code="invalid_document_number",
            params={"value": value},
        )


def split_email_list(value):
    """The addresses in a list separated by commas, semicolons or new lines."""
    return [part.strip() for part in re.split(r"[,;\s]+", value or "") if part.strip()]


def validate_email_list(value):
    bad = []
    for address in split_email_list(value):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            "Địa chỉ email không hợp lệ: %(addresses)s.",
            code="invalid_email_list",
            params={"addresses": ", ".join(bad)},
        )
