"""The periodic-report form of the province overview, built where it is shown so the
overview page needs no change beyond including it."""

from django import template

from plans import selectors
from plans.forms import ProvinceReportForm

register = template.Library()


@register.inclusion_tag("plans/includes/province_report_form.html")
def province_report_form(filters, dates):
    """Plan and period selects: the overview's plan (or the newest) and this year."""
    plans, years = selectors.report_plans_and_years(today=dates.today)
    initial = {"period": str(dates.today.year) if dates.today.year in years else ""}
    if filters.plan_id:
        initial["plan"] = filters.plan_id
    return {
        "form": ProvinceReportForm(plans=plans, years=years, initial=initial, auto_id="report-%s"),
        "years": years,
    }
