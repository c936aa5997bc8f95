"""regiograph: a knowledge graph of regional development actors, strategies and projects.

>>> import graph
>>> ds = graph.load("data/lapland")        # doctest: +SKIP
>>> [f.check for f in ds.check()][:1]      # doctest: +SKIP
['gap.priority-without-lead']
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .base.lazy import lazy_names

if TYPE_CHECKING:
    from .checks import Assessment, Finding, Statement
    from .dataset import Dataset
    from .loader.facts import Facts, InvalidDataset, Problem, load_facts

# imported when first used: a process that needs one module of the package (a query's
# worker needs graph.query.sparql) does not load the loader and the checks (~0.15 s)
_lazy = lazy_names(__name__, {
    "Assessment": ".checks", "Finding": ".checks", "Statement": ".checks",
    "Dataset": ".dataset", "Facts": ".loader.facts", "InvalidDataset": ".loader.facts",
    "Problem": ".loader.facts", "load_facts": ".loader.facts",
})

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
    return _lazy(name)


def load(path: str | os.PathLike) -> Dataset:
    """Open a dataset: a facts folder (validated, built in memory) or a built store.

    Raises :class:`InvalidDataset` (with every problem) when the facts are invalid.
    """
    from .dataset import Dataset

    return Dataset.open(path)
