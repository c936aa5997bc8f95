"""`regiograph push` against real stores on 127.0.0.1 (tests/stores.py): the oxigraph
server and Virtuoso 7."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import HEADER, SEED, write_dataset
from tests.stores import free_port

REGIOGRAPH = Path(sys.executable).parent / "regiograph"
GRAPH = "https://example.org/lapland/"


def regiograph(*args, env=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(REGIOGRAPH), *args], capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


# -- the stores themselves ------------------------------------------------------------


def put(url: str, data: bytes, opener=None) -> int:
    req = urllib.request.Request(url, data=data, method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_virtuoso_writes_only_with_its_login(virtuoso_store):
    """The fixture's Virtuoso: no anonymous Graph Store writes, digest login works, the
    anonymous query endpoint reads."""
    from graph.query.connection import Login, opener

    store = virtuoso_store
    url = f"{store.graph_store}?graph=https://example.org/fixture"
    line = b'<https://example.org/a> <https://example.org/p> "x"@fi .\n'
    assert put(url, line) == 401
    assert put(url, line, opener(url, Login(store.user, "not the password"))) == 401
    assert put(url, line, opener(url, Login(store.user, store.password))) in (200, 201, 204)
    assert store.count("https://example.org/fixture") == 1


def test_oxigraph_server_writes(oxigraph_store):
    url = f"{oxigraph_store.graph_store}?graph=https://example.org/fixture"
    line = b'<https://example.org/a> <https://example.org/p> "x"@fi .\n'
    assert put(url, line) in (200, 201, 204)
    assert oxigraph_store.count("https://example.org/fixture") == 1


# -- push -----------------------------------------------------------------------------


def test_push_replaces_the_named_graph(oxigraph_store, tmp_path):
    store = oxigraph_store
    out = regiograph("push", str(SEED), "--endpoint", store.graph_store).stdout
    assert f"graph <{GRAPH}>" in out
    first = store.count(GRAPH)
    assert first > 1000

    rows = regiograph("query", "--endpoint", store.query, "--graph", GRAPH,
                      "--name", "responsibilities", "--param", "actor=lapin-liitto").stdout
    assert rows.splitlines()[2].startswith("lapin-liitto ")

    regiograph("push", str(SEED), "--endpoint", store.graph_store)
    assert store.count(GRAPH) == first  # replaced, not duplicated

    tiny = write_dataset(tmp_path / "tiny", {"dataset.yaml": HEADER + "  base: " + GRAPH + "\n"
                                             + "sources:\n  - id: s\n    title: S\n"})
    regiograph("push", str(tiny), "--endpoint", store.graph_store)
    assert 0 < store.count(GRAPH) < 20  # the old triples are gone


def test_push_leaves_other_graphs_alone(oxigraph_store):
    for graph in ("https://example.org/a", "https://example.org/b"):
        regiograph("push", str(SEED), "--endpoint", oxigraph_store.graph_store,
                   "--graph", graph)
    assert oxigraph_store.count("https://example.org/a") == oxigraph_store.count(
        "https://example.org/b") > 1000


def test_push_to_nowhere_fails_cleanly():
    proc = subprocess.run([str(REGIOGRAPH), "push", str(SEED), "--endpoint",
                           f"http://127.0.0.1:{free_port()}/store"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 6 and "cannot reach" in proc.stderr
    assert "Traceback" not in proc.stderr
