"""The live tracking dashboard: figures over what the user may see, each linked to the list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from approvals.selectors.dashboard import dashboard as dashboard_figures


@login_required
def dashboard(request):
    campaign = request.GET.get("campaign", "")
    context = dashboard_figures(request.user, campaign)
    return render(request, "approvals/dashboard.html", {**context, "campaign": campaign})
