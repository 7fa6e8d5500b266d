from django.urls import path

from workspace import calendar_views, export_views, report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.agency_dashboard, name="agency-dashboard"),
    path("overview/", views.province_overview, name="province-overview"),
    path("overview/report.docx", report_views.province_report, name="province-report"),
    path("periodic-reports/", report_views.periodic_report_list, name="periodic-report-list"),
    path("periodic-reports/new/", report_views.periodic_report_create, name="periodic-report-create"),
    path("periodic-reports/<int:pk>/", report_views.periodic_report_detail, name="periodic-report-detail"),
    path("periodic-reports/<int:pk>/edit/", report_views.periodic_report_edit, name="periodic-report-edit"),
    path(
        "periodic-reports/<int:pk>/refresh/",
        report_views.periodic_report_refresh,
        name="periodic-report-refresh",
    ),
    path(
        "periodic-reports/<int:pk>/issue/", report_views.periodic_report_issue, name="periodic-report-issue"
    ),
    path(
        "periodic-reports/<int:pk>/report.docx",
        report_views.periodic_report_download,
        name="periodic-report-download",
    ),
    path("overview/export.xlsx", export_views.province_overview_export, name="province-overview-export"),
    path("deadlines/", views.deadline_list, name="deadline-list"),
    path("deadlines/export.xlsx", export_views.deadline_list_export, name="deadline-list-export"),
    path("deadlines/<int:pk>/", views.deadline_detail, name="deadline-detail"),
    path("deadlines/<int:pk>/report/", views.report_submit, name="report-submit"),
    path("deadlines/<int:pk>/contribution/", views.contribution_add, name="contribution-add"),
    path(
        "deadlines/<int:pk>/reports/<int:report_pk>/withdraw/", views.report_withdraw, name="report-withdraw"
    ),
    path("deadlines/<int:pk>/waive/", views.deadline_waive, name="deadline-waive"),
    path("deadlines/<int:pk>/waive/cancel/", views.deadline_waiver_cancel, name="deadline-waiver-cancel"),
    path("review/", views.review_queue, name="review-queue"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("search/", views.search, name="search"),
    path("plans/", views.plan_index, name="plan-list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("calendar/", calendar_views.agency_calendar, name="agency-calendar"),
    path("calendar/<slug:token>.ics", calendar_views.agency_calendar_feed, name="agency-calendar-feed"),
]
