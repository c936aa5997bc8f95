"""Child processes that do not outlive their parent."""

from __future__ import annotations

import os
import signal
import sys

#: linux/prctl.h: the signal the kernel sends this process when its parent ends
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL, parent: int | None = None) -> bool:
    """Have the kernel send ``sig`` to this process as soon as its parent ends, even by
    ``kill -9`` (Linux ``prctl(PR_SET_PDEATHSIG)``); elsewhere nothing happens. True
    when it is set.

    Meant for a worker's start: a parent killed between the worker's start and this
    call is noticed too (a multiprocessing parent already gone, or the process is no
    longer the child of ``parent``, the pid its parent gave it: the worker ends now).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):  # no libc, or no prctl in it
        return False
    if parent is not None:
        if os.getppid() != parent:  # reparented: the parent died before prctl took effect
            os.kill(os.getpid(), sig)
        return True
    import multiprocessing

    process = multiprocessing.parent_process()
    if process is not None and not process.is_alive():  # it died before prctl took effect
        os.kill(os.getpid(), sig)
    return True
