"""YAML to validated facts: the YAML reader (:mod:`.yamlread`), the facts loader
(:mod:`.facts`) and the official reference areas (:mod:`.reference`)."""

from __future__ import annotations

from .facts import Facts, InvalidDataset, Problem, canonical_order, load_facts, parse_date
from .reference import (
    REFERENCE_BASE,
    SETS,
    USES,
    ReferenceError,
    import_areas,
    used_entries,
    write_areas,
)
from .yamlread import YamlError

__all__ = [
    "REFERENCE_BASE",
    "SETS",
    "USES",
    "Facts",
    "InvalidDataset",
    "Problem",
    "ReferenceError",
    "YamlError",
    "canonical_order",
    "import_areas",
    "load_facts",
    "parse_date",
    "used_entries",
    "write_areas",
]
