"""The award catalogue and the campaigns, readable by every signed-in user."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from approvals.models import Award, AwardVersion, Campaign


@login_required
def award_list(request):
    versions = AwardVersion.objects.prefetch_related(
        "document_requirements__document_type", "rules"
    ).order_by("-effective_from")
    awards = Award.objects.filter(is_active=True).prefetch_related(
        Prefetch("versions", queryset=versions)
    )
    return render(request, "approvals/award_list.html", {"awards": awards})


@login_required
def campaign_list(request):
    return render(request, "approvals/campaign_list.html", {"campaigns": Campaign.objects.all()})
