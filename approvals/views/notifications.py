"""The user's in-app notifications."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.models import Notification
from approvals.views.nominations import PAGE_SIZE


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).select_related("nomination")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "approvals/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notification_list")
