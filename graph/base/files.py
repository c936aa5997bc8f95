"""Files and folders written so that a reader never sees half of them."""

from __future__ import annotations

import errno
import os
import secrets
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
    """Write ``data`` to ``path`` through a temporary file and a rename
    (:func:`atomic_path`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        f.write(raw)
    return Path(path)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that takes a path (not bytes: the
    file is never whole in memory); it becomes ``path`` (rename) when the block
    succeeds, and is removed when it fails.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
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
def folder_lock(folder: str | os.PathLike, wait: float = 0.0) -> Iterator[Path]:
    """Be the one writer of ``folder`` for the block: an exclusive ``flock`` on
    ``folder/.regiograph.lock`` (the folder is made when missing).

    Waits up to ``wait`` seconds (by default not at all), then raises
    :class:`FolderBusy`, naming the folder and the writer's pid, while another process
    holds it. The lock ends with the block, or with the process
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
    import time

    path = folder / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _pid_in(fd)
            os.close(fd)
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
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


@contextmanager
def published_together(folder: str | os.PathLike, name: str,
                       entries: list[str]) -> Iterator[Path]:
    """Write a set of outputs that readers of ``folder`` see all old or all new.

    The block writes ``entries`` (file or folder names) into the generation folder it is
    given, ``folder/.NAME.build-XXXX``. When it succeeds, one atomic rename of the link
    ``folder/.NAME.current`` makes that generation the current one, and each entry's public
    name is a link through it (``folder/ENTRY -> .NAME.current/ENTRY``), so at every
    instant every public name points into the same generation; the generation it replaced
    is then removed. When the block fails (or the process is killed) the old set stays
    current and whole; the half-written generation is removed now, or by the next
    :func:`remove_generations`.

    For a writer that holds ``folder``'s :func:`folder_lock`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gen = Path(tempfile.mkdtemp(prefix=f".{name}.build-", dir=folder))
    try:
        yield gen
        missing = [e for e in entries if not (gen / e).exists()]
        if missing:
            raise FileNotFoundError(errno.ENOENT, f"{name}: not written: {missing}",
                                    os.fspath(gen))
        os.chmod(gen, 0o777 & ~_umask())
        current = folder / f".{name}.current"
        old = _link_target(current)
        _link(current, gen.name)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    for entry in entries:  # links that earlier builds made already point right: kept
        public = folder / entry
        if _link_target(public) != f"{current.name}/{entry}":
            _link(public, f"{current.name}/{entry}")
    if old and old != gen.name and old.startswith(f".{name}.build-"):
        shutil.rmtree(folder / old, ignore_errors=True)


def remove_generations(folder: str | os.PathLike, name: str) -> list[Path]:
    """Remove the generation folders of :func:`published_together` that are not current
    (a writer killed before it published) and its temporary links. Return them.

    Only for a writer that holds ``folder``'s :func:`folder_lock`.
    """
    folder = Path(folder)
    current = _link_target(folder / f".{name}.current")
    try:
        stale = [p for p in folder.iterdir()
                 if (p.name.startswith(f".{name}.build-") and p.name != current)
                 or p.name.startswith(f".{name}.current.")]
    except FileNotFoundError:
        return []
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale


def _link_target(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:  # missing, or not a link (an output of an earlier regiograph)
        return None


def _link(path: Path, target: str) -> None:
    """Make ``path`` a symbolic link to ``target`` in one rename; an old file or folder
    of that name (written before outputs were links) is moved aside and removed."""
    hidden = path.name if path.name.startswith(".") else f".{path.name}"
    tmp = path.with_name(f"{hidden}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except IsADirectoryError:
        aside = path.with_name(f"{hidden}.old-{os.getpid()}")
        path.rename(aside)
        os.replace(tmp, path)
        shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: the name every :func:`scratch_folder` starts with, in the system's temporary folder
SCRATCH_PREFIX = "regiograph-"
_SCRATCH_LOCK = ".in-use"


@contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """A temporary folder for one command (``/tmp/regiograph-KIND-XXXX``), removed when
    the block ends.

    A command killed with ``kill -9`` runs no cleanup, so its folder (a temporary store
    of millions of triples, say) would stay forever: each folder holds an ``flock`` on
    its ``.in-use`` file from birth to the end of its process, and every new scratch
    folder first removes those whose lock nobody holds any more. A folder is given
    its final name only once it is locked, so a half-born one is never taken as stale.
    """
    base = Path(tempfile.gettempdir())
    remove_stale_scratch(base)
    birth = Path(tempfile.mkdtemp(prefix=f".{SCRATCH_PREFIX}new-", dir=base))
    fd = None
    try:
        fd = _lock_in(birth)
        folder = base / f"{SCRATCH_PREFIX}{kind}-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(birth, folder)
    except BaseException:
        shutil.rmtree(birth, ignore_errors=True)
        if fd is not None:
            os.close(fd)
        raise
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def remove_stale_scratch(base: str | os.PathLike | None = None) -> list[Path]:
    """Remove the :func:`scratch_folder` folders whose command has ended (their lock is
    free); return them. Folders of other users, and unlocked ones still being born
    (under a minute old), are left alone."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    try:
        entries = [p for p in base.iterdir() if p.name.startswith(
            (SCRATCH_PREFIX, f".{SCRATCH_PREFIX}new-"))]
    except OSError:
        return []
    for folder in entries:
        try:
            st = folder.lstat()
            if not folder.is_dir() or folder.is_symlink() or st.st_uid != os.getuid():
                continue
            fd = os.open(folder / _SCRATCH_LOCK, os.O_RDWR)
        except FileNotFoundError:  # a birth killed before it was locked, or not ours
            if folder.name.startswith(".") and _age(folder) > 60:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        except OSError:
            continue
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, ImportError):
            os.close(fd)
            continue
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed


def _lock_in(folder: Path) -> int:
    fd = os.open(folder / _SCRATCH_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:
        pass
    except BaseException:
        os.close(fd)
        raise
    return fd


def _age(path: Path) -> float:
    import time

    try:
        return time.time() - path.lstat().st_mtime
    except OSError:
        return 0.0
