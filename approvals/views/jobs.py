"""The user's background jobs: progress while they run, then the file, to the requester only."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from approvals.models import Job, JobStatus


@login_required
def job_list(request):
    jobs = Job.objects.filter(requested_by=request.user)[:50]
    return render(request, "approvals/job_list.html", {"jobs": jobs})


@never_cache
@login_required
def job_detail(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id, requested_by=request.user)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"status": job.status, "done": job.done, "total": job.total, "percent": job.percent}
        )
    return render(request, "approvals/job_detail.html", {"job": job})


@login_required
def job_download(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id, requested_by=request.user, status=JobStatus.DONE)
    if not default_storage.exists(job.storage_name):
        raise Http404
    return FileResponse(
        default_storage.open(job.storage_name, "rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=job.content_type,
    )
