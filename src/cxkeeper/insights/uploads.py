"""Uploaded feedback files: raw, unredacted customer data, kept only while they are needed.

A file uploaded on the import page is stored in the data folder (`uploads/<sha256><ext>`,
readable by cxkeeper's account only) so that its import can be previewed, started and, after
a crash, resumed from the watermark. It is deleted

* when its import is done (`release`, from the pipeline) — unless another unfinished import
  of the same content still needs it;
* when nothing has happened to it for `CXKEEPER_UPLOAD_RETENTION_HOURS` (`sweep`: a queued
  import never started, or a failed or interrupted one never resumed); its import then fails
  with a message saying why, and the file must be uploaded again;
* on a customer's erasure (`erase_all`): every upload still kept is deleted whole. A raw
  file cannot be redacted in part — cutting rows out would change the content hash that pins
  the import and the row numbers its watermark counts — and whether an unmapped file holds
  a customer cannot be known for certain (ids are spelled many ways, and sit in free text).
  The imports that needed the files fail, saying so.

Files imported from the command line are the caller's own and are never touched here: only
files inside the uploads folder are. `sweep` runs whenever a file is uploaded or the imports
page is opened, and from `cxkeeper import sweep-uploads` (for a scheduler).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cxkeeper.insights import import_jobs
from cxkeeper.insights.choices import JobStatus
from cxkeeper.insights.models import ImportJob

log = logging.getLogger(__name__)
FOLDER = "uploads"
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED)


def folder() -> Path:
    path = Path(settings.DATA_DIR) / FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def retention() -> timedelta:
    return timedelta(hours=float(getattr(settings, "CXKEEPER_UPLOAD_RETENTION_HOURS", 24)))


def store(upload) -> Path:
    """Write an uploaded file (a Django `UploadedFile`) to the uploads folder under its content
    hash, readable by this account only (0600); re-uploads of the same content share a file."""
    target = folder()
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=target)  # mode 0600
    try:
        with os.fdopen(handle, "wb") as out:
            for block in upload.chunks():
                digest.update(block)
                out.write(block)
        suffix = "".join(Path(upload.name).suffixes[-1:]).lower()[:10]
        suffix = "".join(c for c in suffix if c.isalnum() or c == ".")
        final = target / f"{digest.hexdigest()}{suffix}"
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    final.chmod(0o600)
    return final


def is_upload(path: str | Path) -> bool:
    """True for a file in the uploads folder (never for a file imported from the command line)."""
    try:
        return Path(path).resolve().parent == (Path(settings.DATA_DIR) / FOLDER).resolve()
    except (OSError, ValueError):
        return False


def _jobs_using(path: Path):
    return ImportJob.objects.filter(options__path=str(path.resolve()))


def release(job: ImportJob) -> bool:
    """The job is done: delete its upload unless another unfinished import still needs it.
    True when the file was deleted."""
    path = Path(job.options.get("path", ""))
    if not is_upload(path) or not path.exists():
        return False
    if _jobs_using(path).exclude(pk=job.pk).filter(status__in=UNFINISHED).exists():
        return False
    path.unlink(missing_ok=True)
    return True


def _last_activity(job: ImportJob) -> datetime:
    return max(t for t in (job.created_at, job.started_at, job.finished_at) if t is not None)


def _discard(path: Path, jobs, reason: str) -> None:
    """Delete the file, and tell each unfinished import that needed it why it cannot go on. A
    running import is only told (it keeps reading the file it has open); it fails if resumed."""
    path.unlink(missing_ok=True)
    for job in jobs:
        import_jobs.forget_upload(job, reason)


def sweep(now: datetime | None = None) -> list[Path]:
    """Delete every upload past the retention time (and leftovers of uploads that never
    finished arriving); the deleted paths."""
    now = now or timezone.now()
    keep_for = retention()
    hours = f"{keep_for.total_seconds() / 3600:g}"
    deleted: list[Path] = []
    base = folder()
    needed: dict[Path, list[ImportJob]] = {}
    for job in ImportJob.objects.filter(status__in=UNFINISHED):
        path = Path((job.options or {}).get("path") or "")
        if str(path) not in ("", ".") and is_upload(path):
            needed.setdefault(path.resolve(), []).append(job)
    for path in base.iterdir():
        if not path.is_file():
            continue
        jobs = needed.get(path.resolve(), [])
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
        latest = max([modified, *(_last_activity(job) for job in jobs)])
        if now - latest <= keep_for:
            continue
        _discard(path, jobs, f"The uploaded file was deleted {hours} hours after its last use, as raw uploads are "
                             "kept only that long (CXKEEPER_UPLOAD_RETENTION_HOURS); upload it again to import it.")
        deleted.append(path)
    if deleted:
        log.info("deleted %d expired upload(s)", len(deleted))
    return deleted


def erase_all(reason: str) -> int:
    """Delete every upload still kept (a customer's erasure); how many were deleted."""
    base = Path(settings.DATA_DIR) / FOLDER
    if not base.is_dir():
        return 0
    count = 0
    for path in list(base.iterdir()):
        if path.is_file():
            _discard(path, list(_jobs_using(path).filter(status__in=UNFINISHED)), reason)
            count += 1
    return count
