"""The plan admin with the Excel task table: an object tool on the plan's change page
("Nhập nhiệm vụ từ Excel", ``documents/templates/admin/plans/plan/change_form.html``) and the
import and task-table pages (``documents.import_admin``).

``plans.admin`` knows nothing of documents; this app extends its plan admin, which
Django has registered first (``plans`` comes before ``documents`` in INSTALLED_APPS)."""

from django.contrib import admin

from documents.import_admin import plan_import_urls
from plans.admin import PlanAdmin
from plans.models import Plan


class PlanWithImportAdmin(PlanAdmin):
    def get_urls(self):
        # Before the default URLs, whose "<object_id>/" would catch them.
        return plan_import_urls(self) + super().get_urls()


admin.site.unregister(Plan)
admin.site.register(Plan, PlanWithImportAdmin)
