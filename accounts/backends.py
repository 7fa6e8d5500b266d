from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lock of one username on one address, then the wider limits of
    accounts.lockout (an account from any address, an address for any user), all
    checked before any password is."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        super().authenticate(request, username=username, password=password, **kwargs)
        # Imported here: accounts.lockout reads axes' models, which backends load before.
        from accounts.lockout import wider_lock_apply

        if wider_lock_apply(request, username):
            raise AxesBackendPermissionDenied("Tài khoản hoặc địa chỉ đang tạm khóa đăng nhập.")


class AgencyModelBackend(ModelBackend):
    """Django's model backend with two savings on every page: the signed-in user's agency
    is loaded with the user (each page's frame shows it), and the user's own and their
    groups' permissions come in one query instead of two (the menu asks for them)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("agency").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _permissions_of(user_obj)
        return user_obj._perm_cache


def _permissions_of(user) -> set[str]:
    """ "app_label.codename" of every permission the user holds, directly or through a
    group, or of all for a superuser. One statement written out: it runs on every page,
    and building it through the ORM costs more than running it."""
    user_model = get_user_model()
    table = {
        "permission": Permission._meta.db_table,
        "content_type": ContentType._meta.db_table,
        "user_permission": user_model.user_permissions.through._meta.db_table,
        "user_group": user_model.groups.through._meta.db_table,
        "group_permission": Group.permissions.through._meta.db_table,
    }
    quote = connection.ops.quote_name
    t = {name: quote(db_table) for name, db_table in table.items()}
    sql = (
        f"SELECT ct.app_label, p.codename FROM {t['permission']} p"
        f" JOIN {t['content_type']} ct ON ct.id = p.content_type_id"
    )
    params = []
    if not user.is_superuser:
        sql += (
            f" WHERE p.id IN (SELECT permission_id FROM {t['user_permission']} WHERE user_id = %s"
            f" UNION SELECT gp.permission_id FROM {t['group_permission']} gp"
            f" JOIN {t['user_group']} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
        )
        params = [user.pk, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
