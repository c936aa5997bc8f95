"""The one module that owns the pyoxigraph store: build it, open it, query it, dump it.

A built store is a folder (``out/lapland.store``) holding an Oxigraph database
and ``regiograph.json`` (what was built from what). The data is in the default
graph; the ontology is loaded into its own named graph so that queries see the
data alone unless they ask for the ontology's labels.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple

from ..base.files import new_folder
from ..base.gcpause import paused_gc
from ..model.schema import ontology_file
from ..model.vocab import PREFIXES
from .derive import DERIVED_GRAPH, DERIVED_VERSION, derive

MARKER = "regiograph.json"
ONTOLOGY_GRAPH = NamedNode("https://w3id.org/regiograph/ns")


#: quads handed to the store per call: the store holds a whole call's quads while it
#: indexes them, so one call for 1M quads peaked ~0.55 KB per triple above the finished
#: store; 100 000 at a time keeps the peak near the store's own size for ~10 % more time
CHUNK = 100_000


def fill(store: Store, quads: Iterable[Quad], *, bulk: bool = False) -> None:
    """Add the data (quads in the default graph, see ``rdf.to_quads``), the ontology and
    the facts derived from the data (graph.store.derive)."""
    add = store.bulk_extend if bulk else store.extend
    it = iter(quads)
    with paused_gc():  # a chunk of live quads would otherwise set off full collections
        for first in it:
            add(chain((first,), islice(it, CHUNK - 1)))
    with open(ontology_file("regiograph.ttl"), "rb") as f:
        store.load(f, format=RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    derive(store, bulk=bulk)


def memory_store(quads: Iterable[Quad]) -> Store:
    """An in-memory store holding ``quads`` (default graph) and the ontology."""
    store = Store()
    fill(store, quads)
    return store


def is_store(path: str | os.PathLike) -> bool:
    """True when ``path`` is a store folder written by :func:`build_store`."""
    return (Path(path) / MARKER).is_file()


def build_store(quads: Iterable[Quad], target: str | os.PathLike, info: dict) -> Path:
    """Write a new on-disk store at ``target``, replacing any old one atomically."""
    with new_folder(target) as tmp:
        store = Store(str(tmp / "db"))
        fill(store, quads, bulk=True)
        store.flush()
        info = {**info, "triples": len(store), "derived": DERIVED_VERSION}
        del store
        (tmp / MARKER).write_text(json.dumps(info, indent=2, ensure_ascii=False), "utf-8")
    return Path(target)


class OutdatedStore(Exception):
    """A store built by an earlier regiograph, without what later versions derive."""


def open_store(path: str | os.PathLike) -> Store:
    """Open a built store read-only (several readers may share it).

    Raises OutdatedStore for a store built before the derived facts existed, or before
    some of them (:data:`graph.store.derive.DERIVED_VERSION`): the checks would read its
    seats, countries or nested areas as absent and report false gaps or miss overlaps.
    """
    store = Store.read_only(str(Path(path) / "db"))
    if DERIVED_GRAPH not in set(store.named_graphs()) or \
            store_info(path).get("derived", 1) < DERIVED_VERSION:
        raise OutdatedStore(f"{path} was built by an earlier regiograph, without the facts "
                            "derived at build (who sits at which table, countries, nested "
                            "areas, names); build it again with `regiograph build`")
    return store


def store_info(path: str | os.PathLike) -> dict:
    return json.loads((Path(path) / MARKER).read_text("utf-8"))


def data_triples(store: Store) -> Iterator[Triple]:
    """The dataset's own triples (the default graph), without the ontology."""
    for q in store.quads_for_pattern(None, None, None, DefaultGraph()):
        yield q.triple


def serialize(store: Store, fmt: RdfFormat, derived: bool = False,
              output: str | os.PathLike | None = None) -> bytes | None:
    """The data graph (or the derived one) in an RDF format (Turtle gets the package's
    prefixes); with ``output`` (a file path) written there by the engine instead, never
    held in memory whole (N-Triples of 1M triples: 165 MB)."""
    kwargs = {"prefixes": dict(PREFIXES)} if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else {}
    graph = DERIVED_GRAPH if derived else DefaultGraph()
    if output is not None:
        store.dump(os.fspath(output), format=fmt, from_graph=graph, **kwargs)
        return None
    return store.dump(format=fmt, from_graph=graph, **kwargs)
