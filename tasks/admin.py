"""Admin: each plan's reminder policy, and the reminder ledger (read-only, with "Gửi lại")."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tasks.models import ReminderLog, ReminderPolicy
from tasks.services import reminder_log_resend
from tasks.tasks import digests_enqueue


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["plan", "before_working_days", "on_due_day", "overdue_every_days", "escalate_after_days"]
    list_select_related = ["plan"]
    autocomplete_fields = ["plan"]
    search_fields = ["plan__number", "plan__title"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["remind_on", "agency", "kind", "deadline", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "kind", ("agency", admin.RelatedOnlyFieldListFilter), "remind_on"]
    list_select_related = ["agency", "deadline__task"]
    search_fields = ["agency__name", "agency__short_name", "deadline__task__code", "recipients"]
    date_hierarchy = "remind_on"
    actions = ["resend"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Gửi lại các nhắc việc bị lỗi đã chọn"), permissions=["change"])
    def resend(self, request, queryset):
        failed = queryset.filter(state=ReminderLog.State.FAILED)
        count = failed.count()
        if not count:
            self.message_user(
                request, _("Chỉ gửi lại được các dòng ở trạng thái “Gửi lỗi”."), messages.WARNING
            )
            return
        digests = reminder_log_resend(log_ids=failed.values_list("pk", flat=True))
        digests_enqueue(digests, today=timezone.localdate())
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d nhắc việc vào hàng đợi gửi lại.",
                "Đã đưa %(count)d nhắc việc vào hàng đợi gửi lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
