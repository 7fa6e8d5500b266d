"""The plan admin with the Excel task table: an object tool on the plan's change page
("Nhập nhiệm vụ từ Excel", ``documents/templates/admin/plans/plan/change_form.html``), one on
the plan list ("Nhập kế hoạch từ văn bản", ``change_list.html``) and the import and
task-table pages (``documents.import_admin``).

``plans.admin`` knows nothing of documents; this app extends its plan admin, which
Django has registered first (``plans`` comes before ``documents`` in INSTALLED_APPS)."""

from django.contrib import admin

from documents.import_admin import plan_import_urls
from documents.models import AgencyNameMapping, PeriodicReport
from plans import permissions
from plans.admin import HistoryAdmin, PlanAdmin
from plans.models import Plan


class PlanWithImportAdmin(PlanAdmin):
    def get_urls(self):
        # Before the default URLs, whose "<object_id>/" would catch them.
        return plan_import_urls(self) + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # The list's "Nhập kế hoạch từ văn bản" (templates/admin/plans/plan/change_list.html).
        extra_context = {
            **(extra_context or {}),
            "can_import_plans": permissions.can_import_plans(request.user),
        }
        return super().changelist_view(request, extra_context)


admin.site.unregister(Plan)
admin.site.register(Plan, PlanWithImportAdmin)


@admin.register(PeriodicReport)
class PeriodicReportAdmin(HistoryAdmin):
    """Periodic reports are written through the portal's own pages (services refuse what
    the rules forbid); the admin only reads them and their history."""

    list_display = ["plan", "period_code", "version", "state", "number", "issued_on", "figures_as_of"]
    list_filter = ["state", "plan"]
    readonly_fields = [field.name for field in PeriodicReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgencyNameMapping)
class AgencyNameMappingAdmin(admin.ModelAdmin):
    """The names coordinators mapped to an agency or group in an import's preview. They
    are made only there; here whoever may import tasks reviews them and deletes a wrong
    one (the name is then proposed again at the next import)."""

    list_display = ["name", "agency", "group", "decided_by", "decided_at", "source"]
    list_select_related = ["agency", "group", "decided_by"]
    search_fields = ["name", "agency__name", "agency__short_name", "group__name"]
    readonly_fields = ["name", "agency", "group", "decided_by", "decided_at", "source"]
    fields = readonly_fields

    def has_module_permission(self, request):
        return permissions.can_import_tasks(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_import_tasks(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_import_tasks(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
