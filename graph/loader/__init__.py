"""YAML to validated facts: the YAML reader (:mod:`.yamlread`), the facts loader
(:mod:`.facts`) and the official reference areas (:mod:`.reference`)."""

from __future__ import annotations

from .facts import (
    DatasetReader,
    Facts,
    InvalidDataset,
    Problem,
    canonical_order,
    load_facts,
    parse_date,
    workers_for,
)
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
    "DatasetReader",
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
    "workers_for",
    "write_areas",
]
