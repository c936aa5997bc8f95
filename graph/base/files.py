"""Files and folders written so that a reader never sees half of them."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def new_folder(target: str | os.PathLike) -> Iterator[Path]:
    """A fresh temporary sibling of ``target`` that replaces it when the block succeeds.

    A failure removes the temporary folder and leaves the old ``target`` as it was;
    success swaps it in (rename), so readers never see a half-written folder and no
    stale file of an earlier run survives. The folder gets the usual mode (not 0700).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove_leftovers(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary siblings of ``target`` that a killed writer left behind: the
    ``.NAME.XXXX`` folders and files of :func:`new_folder` and :func:`write_atomic`, and
    ``.NAME.old-PID`` (an old folder being replaced). Return what was removed.

    Only for a writer that holds the folder's :func:`folder_lock`: then no other writer
    of ``target`` is at work, and every such sibling is stale.
    """
    target = Path(target)
    prefix = f".{target.name}."
    try:
        entries = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except FileNotFoundError:
        return []
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return entries


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is None:  # a full disk names no file: say which one failed
            raise OSError(exc.errno, exc.strerror or str(exc), os.fspath(path)) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


#: the lock file that :func:`folder_lock` keeps inside the folder while it is held
LOCK_NAME = ".regiograph.lock"


class FolderBusy(OSError):
    """Another process holds the folder's lock (:func:`folder_lock`)."""

    def __init__(self, folder: Path, pid: int | None):
        self.folder, self.pid = folder, pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(errno.EBUSY, f"{folder} is being written by another regiograph "
                         f"({who}); try again when it has finished", os.fspath(folder))

    def __str__(self) -> str:
        return self.strerror


@contextmanager
def folder_lock(folder: str | os.PathLike) -> Iterator[Path]:
    """Be the one writer of ``folder`` for the block: an exclusive ``flock`` on
    ``folder/.regiograph.lock`` (the folder is made when missing).

    Does not wait: raises :class:`FolderBusy`, naming the folder and the writer's pid,
    when another process holds it. The lock ends with the block, or with the process
    however it ends (``kill -9`` too); the file, which holds the writer's pid, is then
    removed. Where there is no ``fcntl`` (Windows) nothing is locked.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:
        yield folder
        return
    path = folder / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _pid_in(fd)
            os.close(fd)
            raise FolderBusy(folder, pid) from None
        except BaseException:
            os.close(fd)
            raise
        try:  # the file we locked may have been removed by the writer before us: again
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield folder
    finally:
        try:
            path.unlink(missing_ok=True)  # while still locked: no one holds the old file
        finally:
            os.close(fd)


def _pid_in(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
