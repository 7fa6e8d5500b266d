"""Forms of one's own account: the profile and the password reset request."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User

INVALID_EMAIL = _("Địa chỉ email không hợp lệ, ví dụ: ten@dienbien.gov.vn.")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "email", "phone", "receives_reminders"]
        labels = {
            "first_name": _("Họ và tên"),
            "email": _("Email"),
            "phone": _("Số điện thoại"),
            "receives_reminders": _("Nhận email nhắc việc của đơn vị"),
        }
        help_texts = {
            "email": _("Địa chỉ nhận thư nhắc việc, thông báo trả lại báo cáo và thư đặt lại mật khẩu."),
            "receives_reminders": _(
                "Bỏ chọn để không nhận thư nhắc hạn hằng ngày. Thông báo báo cáo bị trả lại vẫn được gửi."
            ),
        }
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})}
        error_messages = {"email": {"invalid": INVALID_EMAIL}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class PortalPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email của tài khoản"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": INVALID_EMAIL},
    )
