"""What every page's menu shows about the user: the counts of what waits for them."""

from django.utils.functional import SimpleLazyObject

from workspace import page_cache


def waiting(request):
    """``waiting``: reports to review, returned reports and overdue deadlines of the
    user's agency (``plans.selectors.waiting_counts_get``). Read only when a page's menu
    shows it, so the login and error pages and the admin never count."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"waiting": SimpleLazyObject(lambda: page_cache.waiting_counts(request))}
