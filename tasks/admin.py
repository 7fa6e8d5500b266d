"""Admin: each plan's reminder policy, and the reminder ledger (read-only, with "Gửi lại")."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.models import ReminderLog, ReminderPolicy
from tasks.services import reminder_log_resend, reminder_log_resend_refused
from tasks.tasks import digests_enqueue


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["plan", "before_working_days", "on_due_day", "overdue_every_days", "escalate_after_days"]
    list_select_related = ["plan"]
    autocomplete_fields = ["plan"]
    search_fields = ["plan__number", "plan__title"]


class RefusedFilter(admin.SimpleListFilter):
    title = _("địa chỉ bị từ chối")
    parameter_name = "refused"

    def lookups(self, request, model_admin):
        return [("yes", _("Có địa chỉ bị từ chối")), ("no", _("Không"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(refused="")
        if self.value() == "no":
            return queryset.filter(refused="")
        return queryset


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = [
        "remind_on",
        "agency",
        "kind",
        "deadline",
        "state",
        "attempts",
        "sent_at",
        "refused",
        "last_error",
    ]
    list_filter = ["state", RefusedFilter, "kind", ("agency", admin.RelatedOnlyFieldListFilter), "remind_on"]
    list_select_related = ["agency", "deadline__task"]
    search_fields = ["agency__name", "agency__short_name", "deadline__task__code", "recipients"]
    date_hierarchy = "remind_on"
    actions = ["resend", "resend_refused"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _queue_again(self, request, chosen, *, resend, none_message, done_message):
        """Put the ``chosen`` rows back in the queue through ``resend`` (a service) and say
        how many went, or why none did."""
        count = chosen.count()
        if not count:
            self.message_user(request, none_message, messages.WARNING)
            return
        digests_enqueue(resend(log_ids=chosen.values_list("pk", flat=True)), today=timezone.localdate())
        self.message_user(request, done_message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Gửi lại các nhắc việc bị lỗi đã chọn"), permissions=["change"])
    def resend(self, request, queryset):
        self._queue_again(
            request,
            queryset.filter(state=ReminderLog.State.FAILED),
            resend=reminder_log_resend,
            none_message=_("Chỉ gửi lại được các dòng ở trạng thái “Gửi lỗi”."),
            done_message=_("Đã đưa %(count)d nhắc việc vào hàng đợi gửi lại."),
        )

    @admin.action(description=_("Gửi lại cho các địa chỉ bị từ chối"), permissions=["change"])
    def resend_refused(self, request, queryset):
        self._queue_again(
            request,
            queryset.filter(state=ReminderLog.State.SENT).exclude(refused=""),
            resend=reminder_log_resend_refused,
            none_message=_("Không dòng nào đã chọn có địa chỉ bị từ chối: không gửi lại gì."),
            done_message=_(
                "Đã đưa %(count)d nhắc việc vào hàng đợi, chỉ gửi lại cho các địa chỉ bị từ chối."
            ),
        )
