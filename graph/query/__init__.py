"""SPARQL as files (:mod:`.library`: the ``.rq`` files and their headers) and for
researchers (:mod:`.sparql`: checked, parameterised, time-limited, local or remote), and
a dataset's graphs sent to a shared store (:mod:`.push`)."""

from __future__ import annotations

from .library import QueryFile, load_folder
from .push import push
from .remote import RemoteStore, run_remote
from .sparql import (
    EndpointError,
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    Refused,
    Rows,
    prepare,
    query_rows,
    run_local,
)

__all__ = [
    "EndpointError",
    "QueryError",
    "QueryFile",
    "QuerySyntaxError",
    "QueryTimeout",
    "Refused",
    "RemoteStore",
    "Rows",
    "load_folder",
    "prepare",
    "push",
    "query_rows",
    "run_local",
    "run_remote",
]
