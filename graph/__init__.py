"""regiograph: a knowledge graph of regional development actors, strategies and projects.

>>> import graph
>>> ds = graph.load("data/lapland")        # doctest: +SKIP
>>> [f.check for f in ds.check()][:1]      # doctest: +SKIP
['gap.priority-without-lead']
"""

from __future__ import annotations

import os

from .checks import Assessment, Finding, Statement
from .dataset import Dataset
from .loader.facts import Facts, InvalidDataset, Problem, load_facts

__all__ = [
    "CHECKS",
    "Assessment",
    "Dataset",
    "Facts",
    "Finding",
    "InvalidDataset",
    "Problem",
    "Statement",
    "load",
    "load_facts",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "CHECKS":  # read from the check files when asked (graph.checks.names)
        from .checks import names

        return names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(path: str | os.PathLike) -> Dataset:
    """Open a dataset: a facts folder (validated, built in memory) or a built store.

    Raises :class:`InvalidDataset` (with every problem) when the facts are invalid.
    """
    return Dataset.open(path)
