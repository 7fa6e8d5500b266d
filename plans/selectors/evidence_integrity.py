"""Are the stored evidence files still the files that were uploaded? Each row keeps the
size and SHA-256 taken at upload (``EvidenceFile.size``, ``.sha256``); a file that is
missing, or differs from them, is damaged. Read by ``verify_evidence`` (on demand and
weekly), by the backup manifest, and by the restore check: one definition for all.

Files are read through the storage API, so what is checked is what the portal serves.
"""

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from plans.models import EvidenceFile

EVIDENCE_FOLDER = "evidence"

CHUNK_BYTES = 1024 * 1024


def fingerprint_chunks(chunks) -> tuple[int, str]:
    """(size, sha256 hex) of a file given as chunks of bytes."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def stored_file_fingerprint(storage, name: str) -> tuple[int, str] | None:
    """(size, sha256) of a stored file, or None when the storage cannot open it."""
    try:
        with storage.open(name, "rb") as stored:
            return fingerprint_chunks(iter(lambda: stored.read(CHUNK_BYTES), b""))
    except OSError:
        return None


@dataclass(frozen=True)
class EvidenceCheck:
    id: int
    name: str
    recorded_size: int
    recorded_sha256: str  # empty for a row the fingerprint was never taken of
    size: int | None  # None: the file is missing
    sha256: str | None

    @property
    def missing(self) -> bool:
        return self.size is None

    @property
    def damaged(self) -> bool:
        """Present, but not the file that was uploaded."""
        if self.missing:
            return False
        return self.size != self.recorded_size or bool(
            self.recorded_sha256 and self.sha256 != self.recorded_sha256
        )

    @property
    def problem(self) -> str:
        """What is wrong, in Vietnamese, or "" when nothing is."""
        if self.missing:
            return "không tìm thấy tệp"
        if self.size != self.recorded_size:
            return f"dung lượng {self.size} byte, khi tải lên là {self.recorded_size} byte"
        if self.damaged:
            return "nội dung khác với khi tải lên (SHA-256 không khớp)"
        return ""


def evidence_check_iter() -> Iterator[EvidenceCheck]:
    """Every evidence row with what its stored file holds now, by id. Several rows may
    share one stored file (files carried to a later report): it is read once."""
    storage = EvidenceFile._meta.get_field("file").storage
    seen: dict[str, tuple[int, str] | None] = {}
    rows = (
        EvidenceFile.objects.order_by("pk")
        .values_list("pk", "file", "size", "sha256")
        .iterator(chunk_size=2000)
    )
    for pk, name, recorded_size, recorded_sha256 in rows:
        if name not in seen:
            seen[name] = stored_file_fingerprint(storage, name)
        found = seen[name]
        yield EvidenceCheck(
            id=pk,
            name=name,
            recorded_size=recorded_size,
            recorded_sha256=recorded_sha256,
            size=found[0] if found else None,
            sha256=found[1] if found else None,
        )


def evidence_problem_list() -> list[EvidenceCheck]:
    """The evidence rows whose file is missing or damaged."""
    return [check for check in evidence_check_iter() if check.missing or check.damaged]


def _stored_names(storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(storage, f"{folder}/{sub}")


def evidence_orphan_list(*, older_than: datetime.timedelta) -> list[str]:
    """Stored evidence files that no row refers to (a worker killed between writing a file
    and committing its report), older than ``older_than``: a younger one may belong to
    an upload still in progress. Sorted by name."""
    storage = EvidenceFile._meta.get_field("file").storage
    referenced = set(EvidenceFile.objects.values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    return sorted(
        name
        for name in _stored_names(storage, EVIDENCE_FOLDER)
        if name not in referenced and storage.get_modified_time(name) < cutoff
    )
