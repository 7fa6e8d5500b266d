"""Password rules beyond Django's own (settings AUTH_PASSWORD_VALIDATORS)."""

from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

VIETNAMESE_COMMON_PASSWORDS = Path(__file__).resolve().parent / "passwords" / "common-passwords-vi.txt"

MIN_USERNAME_LENGTH = 3


class UsernameInPasswordValidator:
    """A password that holds the username ("bfuser2bfuser2" for bfuser2) is the first
    thing a guesser tries; Django's similarity check lets it pass when the username is
    repeated or padded."""

    message = "Mật khẩu không được chứa tên đăng nhập."

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= MIN_USERNAME_LENGTH and username in password.casefold():
            raise ValidationError(self.message, code="password_contains_username")

    def get_help_text(self):
        return self.message


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's validator over its own (English) list and the Vietnamese one
    (``passwords/common-passwords-vi.txt``: "matkhau123", "dienbien2026"…), as one check
    with one message."""

    def __init__(
        self,
        password_list_paths=(
            password_validation.CommonPasswordValidator.DEFAULT_PASSWORD_LIST_PATH,
            VIETNAMESE_COMMON_PASSWORDS,
        ),
    ):
        self.passwords = set()
        for path in password_list_paths:
            self.passwords |= password_validation.CommonPasswordValidator(path).passwords
