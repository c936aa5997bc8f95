"""Facts to RDF and back (:mod:`.mapping`), and the SHACL check of the RDF (:mod:`.shacl`,
imported on first use: pyshacl and rdflib take a while to import)."""

from __future__ import annotations

from ..base.lazy import lazy_names
from .mapping import (
    CLASSES,
    KIND_OF_CLASS,
    GraphReader,
    GraphWriter,
    from_triples,
    to_quads,
    to_triples,
)

__getattr__ = lazy_names(__name__, {"ShaclResult": ".shacl", "validate_shacl": ".shacl"})

__all__ = [
    "CLASSES",
    "GraphReader",
    "GraphWriter",
    "KIND_OF_CLASS",
    "ShaclResult",
    "from_triples",
    "to_quads",
    "to_triples",
    "validate_shacl",
]
