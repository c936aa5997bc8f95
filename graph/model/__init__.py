"""What the facts are: the facts format as data (:mod:`.schema`), the RDF namespaces
(:mod:`.vocab`) and the one rule for the name to show (:mod:`.names`)."""

from __future__ import annotations

from .names import FALLBACK, pick, pick_tag, slug
from .schema import (
    ACTORS,
    FORMAT_VERSION,
    KIND_SECTION,
    SECTIONS,
    check_files,
    check_names,
    facts_document,
    ontology_dir,
    ontology_file,
    vocabulary,
)
from .vocab import PREFIXES, default_base, sparql_prologue

__all__ = [
    "ACTORS",
    "FALLBACK",
    "FORMAT_VERSION",
    "KIND_SECTION",
    "PREFIXES",
    "SECTIONS",
    "check_files",
    "check_names",
    "default_base",
    "facts_document",
    "ontology_dir",
    "ontology_file",
    "pick",
    "pick_tag",
    "slug",
    "sparql_prologue",
    "vocabulary",
]
