from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role


class OfficerNeedsAgencyMixin:
    """Officers only ever see their own agency's rows, so one without an agency is refused."""

    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups") or []
        is_officer = any(group.name == GROUP_NAMES[Role.OFFICER] for group in groups)
        if is_officer and not cleaned.get("agency"):
            self.add_error("agency", _("Cán bộ đơn vị phải thuộc một cơ quan, đơn vị."))
        return cleaned


class PortalUserChangeForm(OfficerNeedsAgencyMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class PortalUserCreationForm(OfficerNeedsAgencyMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ["username", "first_name", "agency", "role_display", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_staff", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name", "agency__short_name"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:1],
        (_("Thông tin cá nhân"), {"fields": ["first_name", "last_name", "email", "phone"]}),
        (_("Đơn vị và vai trò"), {"fields": ["agency", "groups", "receives_reminders"]}),
        (
            _("Quyền hệ thống"),
            {
                "fields": ["is_active", "is_staff", "is_superuser", "user_permissions"],
                "classes": ["collapse"],
            },
        ),
        (_("Thời gian"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "agency",
                    "groups",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("vai trò"))
    def role_display(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"
