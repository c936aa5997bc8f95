"""SPARQL as files (:mod:`.library`: the ``.rq`` files and their headers) and for
researchers (:mod:`.sparql`: checked, parameterised, time-limited, local or remote)."""

from __future__ import annotations

from .library import QueryFile, load_folder
from .sparql import (
    EndpointError,
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    Refused,
    Rows,
    prepare,
    push,
    query_rows,
    run_local,
    run_remote,
)

__all__ = [
    "EndpointError",
    "QueryError",
    "QueryFile",
    "QuerySyntaxError",
    "QueryTimeout",
    "Refused",
    "Rows",
    "load_folder",
    "prepare",
    "push",
    "query_rows",
    "run_local",
    "run_remote",
]
