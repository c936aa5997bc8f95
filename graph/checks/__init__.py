"""The named checks of CHECKS.md: overlapping responsibilities and collaboration gaps.

A check is data: one SPARQL file in ``ontology/checks/`` whose header says what its
findings are (graph.checks.spec; read one with ``regiograph check --show-query NAME``).
This package runs them on a store, groups their rows into findings (one per subjects and
target), writes the explanation, collects the sources of the facts behind each finding,
and weighs the findings against the dataset's statements (graph.checks.basis).

After the seven comes one advisory check, ``overlap.similar-projects``: its file lists the
projects' facts and graph.checks.similar compares their names and descriptions (TF-IDF
over character n-grams); its findings carry a ``score`` and what is ``alike``, and
``check --strict`` counts them only when the check is named with ``--only``.
"""

from __future__ import annotations

from ..model.schema import CheckError
from .basis import (
    BASES,
    CORROBORATED,
    NOT_CHECKED,
    NOT_REPRODUCED,
    Statement,
    read_statements,
    weigh,
)
from .finding import Finding
from .run import Assessment, assess, narrow, run_checks
from .spec import CheckSpec, check_specs, names, select


def __getattr__(name: str):
    # CHECKS, the check names in report order, is read from the files when asked, so that
    # importing the package never fails on a bad check file of REGIOGRAPH_CHECKS
    if name == "CHECKS":
        return names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_queries() -> dict:
    """The check queries by name, in report order (graph.query.library.QueryFile)."""
    return {name: spec.query for name, spec in check_specs().items()}


__all__ = [
    "BASES",
    "CHECKS",
    "CORROBORATED",
    "NOT_CHECKED",
    "NOT_REPRODUCED",
    "Assessment",
    "CheckError",
    "CheckSpec",
    "Finding",
    "Statement",
    "assess",
    "check_queries",
    "check_specs",
    "names",
    "narrow",
    "read_statements",
    "run_checks",
    "select",
    "weigh",
]
