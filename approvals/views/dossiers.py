"""Dossier documents of a nomination: upload by the stage's actor, download by its readers;
the achievement report draft for its readers to complete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.forms import AttachmentForm
from approvals.models import Attachment
from approvals.selectors import nominations as selectors
from approvals.services import dossiers as services
from approvals.services.jobs import job_start
from approvals.views.nominations import form_error, render_detail_with


@login_required
@require_POST
def attachment_upload(request, nomination_id: int):
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    if not services.may_attach(request.user, nomination):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES, nomination=nomination)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, nomination=nomination, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Đã thêm tài liệu vào hồ sơ."))
            return redirect("nomination_detail", nomination.pk)
    return render_detail_with(request, nomination, attachment_form=form)


@login_required
def attachment_download(request, attachment_id: int):
    readable = selectors.nominations_for_user(request.user).values("pk")
    attachment = get_object_or_404(
        Attachment.objects.filter(nomination__in=readable), pk=attachment_id
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def achievement_report(request, nomination_id: int):
    """Start the achievement report draft (DOCX) of a nomination the user may read."""
    nomination = selectors.get_nomination_for_user(request.user, nomination_id)
    job = job_start(
        user=request.user,
        kind="achievement_report",
        params={"nomination": nomination.pk, "format": "docx"},
    )
    return redirect("job_detail", job.pk)
