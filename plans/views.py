from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from plans.selectors import plan_list, plan_list_with_content


@login_required
def plan_index(request):
    return render(request, "plans/plan_list.html", {"plans": plan_list()})


@login_required
def plan_detail(request, pk):
    plan = get_object_or_404(plan_list_with_content(), pk=pk)
    return render(request, "plans/plan_detail.html", {"plan": plan})
