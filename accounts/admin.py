from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "agency", "role_display", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_staff", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name", "agency__short_name"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:1],
        (_("Thông tin cá nhân"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Đơn vị và vai trò"), {"fields": ["agency", "groups"]}),
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
                "fields": ["username", "first_name", "agency", "groups", "password1", "password2"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("vai trò"))
    def role_display(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"
