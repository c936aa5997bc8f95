"""The graph as networkx (:mod:`.projection`) and the network measures on it
(:mod:`.analyses`)."""

from __future__ import annotations

from .analyses import SEATED, actor_graph, brokers, measures, tables
from .projection import edge_kinds, flatten, to_networkx, write_graphml

__all__ = [
    "SEATED",
    "actor_graph",
    "brokers",
    "edge_kinds",
    "flatten",
    "measures",
    "tables",
    "to_networkx",
    "write_graphml",
]
