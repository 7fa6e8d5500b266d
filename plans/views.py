from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from plans.selectors import deadline_list_visible_to, plan_list, plan_list_with_content, status_dates_get


@login_required
def plan_index(request):
    return render(request, "plans/plan_list.html", {"plans": plan_list()})


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(plan_list_with_content(), pk=pk)
    return render(request, "plans/plan_detail.html", {"plan": plan})


@login_required
def deadline_detail(request, pk):
    dates = status_dates_get()
    deadline = get_object_or_404(
        deadline_list_visible_to(user=request.user, dates=dates).select_related("task__plan", "task__area"),
        pk=pk,
    )
    return render(request, "plans/deadline_detail.html", {"deadline": deadline})
