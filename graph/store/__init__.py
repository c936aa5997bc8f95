"""The pyoxigraph store (:mod:`.store`: build, open, dump) and the facts derived when it
is built (:mod:`.derive`)."""

from __future__ import annotations

from .derive import COUNTRY, DERIVED_GRAPH, SEATED_AT, SHOWN_NAME, derive
from .store import (
    ONTOLOGY_GRAPH,
    OutdatedStore,
    build_store,
    data_triples,
    is_store,
    memory_store,
    open_store,
    serialize,
    store_info,
)

__all__ = [
    "COUNTRY",
    "DERIVED_GRAPH",
    "ONTOLOGY_GRAPH",
    "OutdatedStore",
    "SEATED_AT",
    "SHOWN_NAME",
    "build_store",
    "data_triples",
    "derive",
    "is_store",
    "memory_store",
    "open_store",
    "serialize",
    "store_info",
]
