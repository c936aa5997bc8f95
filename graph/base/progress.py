"""A progress bar for the stages a user waits on, silent where nobody watches."""

from __future__ import annotations

import sys


def progress(items, desc: str, unit: str = "file", total: int | None = None):
    """``items`` with a tqdm bar on stderr, or ``items`` itself when stderr is no terminal.

    For the stages a user waits on (loading many files, building a store); silent in
    pipes, CI and tests. Example: ``for rel, path in progress(files, "load"): ...``
    """
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=unit, total=total, leave=False, file=sys.stderr)
