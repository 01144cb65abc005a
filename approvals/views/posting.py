"""The public posting page: posted nominees, objections lodged and answered."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from approvals.models import Objection
from approvals.services import posting as services
from approvals.views.nominations import PAGE_SIZE, form_error


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ý kiến phản ánh"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Trả lời"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _page(request, form=None, failed_pk=None, status=200):
    posted = Paginator(services.posted_nominations(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/posting_list.html",
        {"page": posted, "form": form, "failed_pk": failed_pk},
        status=status,
    )


@login_required
def posting_list(request):
    return _page(request)


@login_required
@require_POST
def objection_create(request, nomination_id: int):
    nomination = get_object_or_404(services.posted_nominations(), pk=nomination_id)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_lodge(
                actor=request.user, nomination=nomination, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Đã gửi ý kiến phản ánh tới cơ quan thường trực."))
            return redirect("posting_list")
    return _page(request, form=form, failed_pk=nomination.pk, status=400)


@login_required
@require_POST
def objection_answer(request, objection_id: int):
    from approvals.selectors.nominations import nominations_for_user

    objection = get_object_or_404(
        Objection.objects.filter(nomination__in=nominations_for_user(request.user).values("pk")),
        pk=objection_id,
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(
                actor=request.user, objection=objection, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("Đã trả lời ý kiến phản ánh."))
    else:
        messages.error(request, _("Nhập nội dung trả lời."))
    return redirect("nomination_detail", objection.nomination_id)
