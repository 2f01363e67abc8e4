"""Where the jobs' files live: a private folder (``FILE_JOBS_DIR``, by default
``var/file-jobs/``), outside the static files, fetched only through the download view.

A file is written as ``<job>-<attempt>.part`` and renamed into place once complete (a
rename within one folder is atomic), so a half-written file is never offered; each name
carries a random part, so a name cannot be guessed even by someone who could list the
folder's neighbours.
"""

import contextlib
import os
import secrets
from pathlib import Path

from django.conf import settings

from portal.health import startup

PART_SUFFIX = ".part"


def folder() -> Path:
    configured = getattr(settings, "FILE_JOBS_DIR", None)
    path = Path(configured) if configured else startup.var_dir() / "file-jobs"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def path_of(name: str) -> Path:
    """The file of a job's ``file_name``; never outside the folder."""
    base = folder()
    path = (base / name).resolve()
    if path.parent != base.resolve():
        raise ValueError("A file job's name must be a plain file name.")
    return path


def part_path(job_pk: int, attempt: int) -> Path:
    return folder() / f"{job_pk}-{attempt}{PART_SUFFIX}"


def final_name(job_pk: int, extension: str) -> str:
    return f"{job_pk}-{secrets.token_hex(8)}.{extension}"


def write_chunks(chunks, part: Path) -> int:
    """Write ``chunks`` (str or bytes) to ``part``, flushed to disk. Returns the size."""
    size = 0
    with part.open("wb") as handle:
        for chunk in chunks:
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            handle.write(data)
            size += len(data)
        handle.flush()
        os.fsync(handle.fileno())
    return size


def put_in_place(part: Path, name: str) -> Path:
    final = path_of(name)
    os.replace(part, final)
    return final


def remove(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_named(name: str) -> None:
    if name:
        with contextlib.suppress(ValueError):
            remove(path_of(name))


def leftover_parts(job_pk: int) -> list[Path]:
    """The temporary files of a job's attempts (a worker killed mid-write leaves one)."""
    return list(folder().glob(f"{job_pk}-*{PART_SUFFIX}"))
