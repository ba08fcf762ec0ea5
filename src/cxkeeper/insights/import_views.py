"""Import pages: upload → mapping preview → import with live progress → summary and error report.

The pages read jobs; every change of a job goes through `pipeline` (create), `jobs` (start,
resume in the background) and so `import_jobs`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from cxkeeper.insights import actions, import_jobs, import_limits, jobs, pipeline, uploads
from cxkeeper.insights.choices import JobStatus, SourceKind
from cxkeeper.insights.ingest import FIELDS, ImportFileError, Mapping, MappingError, preview
from cxkeeper.insights.models import FeedbackSource, ImportJob

FORMAT_CHOICES = [("", "Detect from the file"), ("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSON lines"),
                  ("parquet", "Parquet"), ("qualtrics", "Survey platform export (Qualtrics style)"),
                  ("zendesk", "Helpdesk ticket export (Zendesk style)")]
MAX_UPLOAD_BYTES = 2 * 1024**3


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, XLSX, JSONL or Parquet; survey and helpdesk exports as they come.")
    source = forms.ModelChoiceField(FeedbackSource.objects.all(), required=False,
                                    help_text="Where this feedback comes from.")
    new_source = forms.CharField(max_length=120, required=False, label="…or a new source named")
    kind = forms.ChoiceField(choices=SourceKind.choices, required=False, label="Kind of new source")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("source") and not (data.get("new_source") or "").strip():
            raise forms.ValidationError("Choose a source or name a new one.")
        upload = data.get("file")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 GB; import it with `cxkeeper import feedback`.")
        return data


def _mapping_form_class(columns: list[str]):
    choices = [("", "—")] + [(c, c) for c in columns]
    fields = {name: forms.ChoiceField(choices=choices, required=False, label=name.replace("_", " "))
              for name in FIELDS}
    fields["csat_max"] = forms.IntegerField(min_value=2, max_value=11, initial=5, label="CSAT scale maximum")
    fields["default_channel"] = forms.CharField(max_length=60, required=False,
                                                help_text="Used for rows without a channel.")
    fields["dayfirst"] = forms.BooleanField(required=False, label="Dates are day first (31/03/2026)")
    fields["save_for_source"] = forms.BooleanField(required=False, initial=True,
                                                   label="Remember this mapping for the source")
    return type("MappingForm", (forms.Form,), fields)


def import_home(request):
    actions.require_import(request.user)
    uploads.sweep()  # raw uploads past their retention go whenever someone comes to import
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = data["source"] or actions.source_named(data["new_source"].strip(), acting_user=request.user,
                                                        defaults={"kind": data["kind"] or SourceKind.OTHER})
        path = uploads.store(data["file"])
        job = pipeline.start_import(path, source=source, format=data["format"] or None,
                                    filename=Path(data["file"].name).name, acting_user=request.user)
        return redirect("imports:job", job.pk)
    return render(request, "insights/import.html", {
        "form": form, "jobs": ImportJob.objects.select_related("source", "created_by")[:20],
    }, status=422 if request.method == "POST" else 200)


def _job(request, pk) -> ImportJob:
    actions.require_import(request.user)
    return get_object_or_404(ImportJob.objects.select_related("source"), pk=pk)


def import_job(request, pk):
    """Before the import: the mapping preview. During: live progress. After: the summary."""
    job = _job(request, pk)
    context = _progress_context(job)
    if job.status == JobStatus.QUEUED:
        path = Path(job.options.get("path", ""))
        mapping = Mapping.from_dict(job.source.mapping) if job.source.mapping else None
        limits = import_limits.current()
        try:
            shown = preview(path, job.format or None, mapping, n=10, limits=limits)
            if not shown.mapping.channel and not shown.mapping.default_channel:
                fallback = shown.mapping.replace(default_channel=job.source.default_channel
                                                 or pipeline.UNKNOWN_CHANNEL)
                shown = preview(path, job.format or None, fallback, n=10, limits=limits)
        except (ImportFileError, MappingError, OSError) as exc:
            context["problem"] = pipeline.shown_as(job, path, str(exc))
        else:
            if shown.problem:
                shown.problem = pipeline.shown_as(job, path, shown.problem)
            shown.notes = [pipeline.shown_as(job, path, note) for note in shown.notes]
            initial = {**{k: v for k, v in shown.mapping.fields.items()}, "csat_max": shown.mapping.csat_max,
                       "default_channel": shown.mapping.default_channel or job.source.default_channel,
                       "dayfirst": shown.mapping.dayfirst, "save_for_source": True}
            context.update(preview=shown, mapping_form=_mapping_form_class(shown.columns)(initial=initial))
    return render(request, "insights/import_job.html", context)


def _progress_context(job: ImportJob) -> dict:
    unlisted = import_jobs.unlisted_rejections(job)
    return {"job": job, "interrupted": jobs.interrupted(job), "unlisted": unlisted, "listed": job.rejected - unlisted,
            "resumable": not import_jobs.upload_deleted(job)}


def import_progress(request, pk):
    job = _job(request, pk)
    response = render(request, "insights/partials/import_progress.html", _progress_context(job))
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        response["HX-Trigger"] = "import-finished"
    return response


@require_POST
def import_start(request, pk):
    job = _job(request, pk)
    if job.status != JobStatus.QUEUED:
        messages.error(request, "This import has already started.")
        return redirect("imports:job", job.pk)
    try:
        columns = preview(Path(job.options.get("path", "")), job.format or None, n=1,
                          limits=import_limits.current()).columns
    except (ImportFileError, MappingError, OSError) as exc:
        messages.error(request, pipeline.shown_as(job, Path(job.options.get("path", "")), str(exc)))
        return redirect("imports:job", job.pk)
    form = _mapping_form_class(columns)(request.POST)
    if not form.is_valid():
        messages.error(request, "The mapping has problems: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
        return redirect("imports:job", job.pk)
    data = form.cleaned_data
    base = Mapping.from_dict(job.source.mapping) if job.source.mapping else Mapping()
    mapping = base.replace(**{name: data[name] or None for name in FIELDS}, csat_max=data["csat_max"],
                           default_channel=data["default_channel"] or None, dayfirst=data["dayfirst"])
    try:
        mapping.resolve(columns, job.filename)
    except (MappingError, ImportFileError) as exc:
        messages.error(request, str(exc))
        return redirect("imports:job", job.pk)
    if data["save_for_source"]:
        actions.save_source_mapping(job.source, mapping.to_dict(), acting_user=request.user)
    if not jobs.start(job, mapping.to_dict(), acting_user=request.user):
        messages.error(request, "This import has already started.")
    return redirect("imports:job", job.pk)


@require_POST
def import_resume(request, pk):
    job = _job(request, pk)
    if not jobs.resume(job, acting_user=request.user):
        raise Http404("Only a stopped import can be resumed.")
    messages.success(request, f"Resuming after row {job.rows_done}.")
    return redirect("imports:job", job.pk)


def import_errors(request, pk):
    job = _job(request, pk)
    response = StreamingHttpResponse(pipeline.error_report_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = download_disposition(f"{Path(job.filename).stem}-rejected-rows.csv")
    return response


def download_disposition(filename: str) -> str:
    """`attachment` with a file name from user data made safe for the header: control
    characters (CR/LF would split the header) and path separators dropped, quotes escaped, a
    non-ASCII name sent as `filename*=utf-8''…` (RFC 6266) — all by Django's helper."""
    cleaned = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in filename)
    cleaned = cleaned.replace("/", "_").replace("\\", "_").strip() or "download.csv"
    return content_disposition_header(True, cleaned[:200])
