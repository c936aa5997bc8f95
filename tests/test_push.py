"""`regiograph push` against real stores on 127.0.0.1 (tests/stores.py): the oxigraph
server and Virtuoso 7 (digest login), and through a proxy on 127.0.0.1 that fails on
purpose: a transient failure is sent again, a lasting one leaves the old graphs intact.
"""

from __future__ import annotations

import http.client
import http.server
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from pyoxigraph import Store

from graph.dataset import Dataset
from graph.query.connection import Login
from graph.query.push import STAGING, PushFailed, push, staging_graph_of
from graph.store.derive import derived_graph_of
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


# -- push ---------------------------------------------------------------------------

STORES = ["oxigraph_store", "virtuoso_store"]


@pytest.fixture(scope="module")
def seed():
    """The seed dataset and its numbers of data and derived triples."""
    ds = Dataset.open(SEED)
    return ds, len(ds.rdf_bytes("ntriples").splitlines()), \
        len(ds.rdf_bytes("ntriples", derived=True).splitlines())


def tiny_dataset(folder: Path, base: str = GRAPH) -> Path:
    return write_dataset(folder, {"dataset.yaml": HEADER + "  base: " + base + "\n"
                                  + "sources:\n  - id: s\n    title: S\n"})


@pytest.mark.parametrize("name", STORES)
def test_push_the_seed(name, request, seed, tmp_path):
    """Both graphs arrive whole (counted on the store), in chunks; a second push
    replaces them; a push of a tiny dataset leaves only its triples; no staging graph is
    left behind."""
    store = request.getfixturevalue(name)
    _, triples, derived = seed
    graph = f"https://example.org/{name}/seed/"
    args = ["push", str(SEED), "--endpoint", store.graph_store, "--graph", graph,
            "--chunk", "200", *store.login_args()]
    out = regiograph(*args, env=store.env()).stdout
    assert f"Pushed {triples} triples to graph <{graph}> and {derived} derived ones to " \
           f"graph <{derived_graph_of(graph)}>" in out, out
    assert "replaced at once by an update" in out
    assert store.count(graph) == triples and store.count(derived_graph_of(graph)) == derived
    regiograph(*args, env=store.env())
    assert store.count(graph) == triples  # replaced, not added to
    regiograph(args[0], str(tiny_dataset(tmp_path / "tiny", graph)), *args[2:],
               env=store.env())
    assert 0 < store.count(graph) < 20  # the old triples are gone
    assert store.count(derived_graph_of(graph)) < derived
    assert store.graphs(STAGING) == {}
    if store.password:
        assert store.password not in out


def test_push_answers_named_queries(oxigraph_store):
    store = oxigraph_store
    regiograph("push", str(SEED), "--endpoint", store.graph_store)
    rows = regiograph("query", "--endpoint", store.query, "--graph", GRAPH,
                      "--name", "responsibilities", "--param", "actor=lapin-liitto").stdout
    assert rows.splitlines()[2].startswith("lapin-liitto ")


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


@pytest.mark.parametrize("case", ["wrong password", "no login"])
def test_virtuoso_refuses_a_bad_login(virtuoso_store, case):
    """Exit 6 and a sentence, no traceback; the password is never printed."""
    store = virtuoso_store
    wrong = "wrong-" + store.password[:6]
    env = dict(store.env(), REGIOGRAPH_PASSWORD=wrong)
    args = ["--user", store.user] if case == "wrong password" else []
    proc = subprocess.run([str(REGIOGRAPH), "push", str(SEED), "--endpoint",
                           store.graph_store, "--graph", "https://example.org/refused",
                           *args], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 6, proc.stderr
    assert "Traceback" not in proc.stderr
    if case == "wrong password":
        assert f"user {store.user} (password from REGIOGRAPH_PASSWORD) was not accepted" \
            in proc.stderr
    else:
        assert "asks for a login: give --user NAME" in proc.stderr
    assert wrong not in proc.stdout + proc.stderr
    assert store.password not in proc.stdout + proc.stderr
    assert store.count("https://example.org/refused") == 0


# -- a proxy that fails on purpose --------------------------------------------------------


class Proxy:
    """A proxy on 127.0.0.1 in front of ``store`` (same paths) that counts the Graph Store
    writes reaching the store with their login (``writes``) and answers the ones whose
    number ``fail`` maps to with that status, or drops the connection ("drop"); and
    likewise the updates with ``fail_updates``."""

    def __init__(self, store, fail: dict[int, int | str],
                 fail_updates: dict[int, int] | None = None):
        self.store, self.fail, self.writes, self.failed = store, fail, 0, []
        self.fail_updates, self.updates = fail_updates or {}, 0
        upstream = urllib.parse.urlsplit(store.graph_store)
        update_path = urllib.parse.urlsplit(store.update).path
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                write = self.path.startswith(upstream.path + "?") and self.command in (
                    "PUT", "POST") and (store.user is None or "Authorization" in self.headers)
                update = self.path == update_path and (
                    store.user is None or "Authorization" in self.headers)
                action = None
                if write:
                    proxy.writes += 1
                    action = proxy.fail.get(proxy.writes)
                    if action is not None:
                        proxy.failed.append(proxy.writes)
                elif update:
                    proxy.updates += 1
                    action = proxy.fail_updates.get(proxy.updates)
                if action == "drop":
                    self.close_connection = True
                    return
                if action is not None:
                    self.send_response(action)
                    self.send_header("Content-Length", "6")
                    self.end_headers()
                    self.wfile.write(b"failed")
                    return
                conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status, answer.reason)
                for k, v in answer.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = handle_one  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.graph_store = base + upstream.path

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def _login(store):
    return Login(store.user, store.password) if store.user else None


@pytest.mark.parametrize("name", STORES)
def test_a_chunk_that_fails_for_good_leaves_the_old_graphs(name, request, seed, tmp_path):
    """The old graphs are intact when a chunk in the middle fails (500 every time), the
    staging graphs are removed, and the message says so."""
    store = request.getfixturevalue(name)
    ds, _, _ = seed
    graph = f"https://example.org/{name}/kept/"
    old = Dataset.open(tiny_dataset(tmp_path / "old", graph))
    push(old.store, store.graph_store, graph, login=_login(store))
    before = store.count(graph), store.count(derived_graph_of(graph))
    with Proxy(store, {n: 500 for n in range(4, 100)}) as proxy, \
            pytest.raises(PushFailed) as failed:
        push(ds.store, proxy.graph_store, graph, login=_login(store), chunk_triples=200,
             backoff=0.01)
    assert proxy.failed == [4, 5, 6, 7]  # four tries of the fourth chunk, then no more
    message = str(failed.value)
    assert "answered 500" in message and "(after 4 tries)" in message
    assert f"No graph was replaced: graph <{graph}> is as it was" in message
    assert "The staging graphs were removed" in message
    assert (store.count(graph), store.count(derived_graph_of(graph))) == before
    assert store.graphs(STAGING) == {}


@pytest.mark.parametrize("name", STORES)
def test_transient_failures_are_sent_again(name, request, seed):
    """A 503, a 429 and a dropped connection each cost one more request; the push
    arrives whole."""
    store = request.getfixturevalue(name)
    ds, triples, derived = seed
    graph = f"https://example.org/{name}/retried/"
    with Proxy(store, {2: 503, 4: 429, 6: "drop"}) as proxy:
        done = push(ds.store, proxy.graph_store, graph, login=_login(store),
                    chunk_triples=300, backoff=0.01)
    assert proxy.failed == [2, 4, 6]
    chunks = -(-triples // 300) + -(-derived // 300)
    assert proxy.writes == chunks + 3
    assert (done.triples, done.derived_triples) == (triples, derived)
    assert store.count(graph) == triples and store.count(derived_graph_of(graph)) == derived
    assert store.graphs(STAGING) == {}


def test_what_a_failed_cleanup_leaves_is_named(oxigraph_store, seed):
    """When the staging graph cannot be removed either, the message names it; the next
    push to the same graph empties it."""
    ds, triples, _ = seed
    graph = "https://example.org/left/"
    with Proxy(oxigraph_store, {3: 400}, {n: 503 for n in range(2, 10)}) as proxy, \
            pytest.raises(PushFailed) as failed:
        push(ds.store, proxy.graph_store, graph, chunk_triples=300, backoff=0.01)
    staging = staging_graph_of(graph)
    assert f"What arrived is still in <{staging}>: the next push to the same graph " \
           "empties it" in str(failed.value)
    assert oxigraph_store.graphs(STAGING) == {staging: 600}
    push(ds.store, oxigraph_store.graph_store, graph)
    assert oxigraph_store.graphs(STAGING) == {} and oxigraph_store.count(graph) == triples


def test_a_guessed_update_endpoint_that_is_not_there(oxigraph_store, seed):
    """A known layout's update address that answers 404: the graphs are written in place,
    and push says so."""
    ds, triples, _ = seed
    said = []
    with Proxy(oxigraph_store, {}, {1: 404}) as proxy:
        done = push(ds.store, proxy.graph_store, "https://example.org/guessed/",
                    say=said.append)
    assert done.update is None and oxigraph_store.count("https://example.org/guessed/") \
        == triples
    assert len(said) == 1 and "takes no SPARQL updates" in said[0]
    assert "give --update URL" in said[0]


def test_a_4xx_is_not_sent_again(oxigraph_store, seed):
    ds, _, _ = seed
    graph = "https://example.org/not-retried/"
    with Proxy(oxigraph_store, {3: 400}) as proxy, pytest.raises(PushFailed) as failed:
        push(ds.store, proxy.graph_store, graph, chunk_triples=300, backoff=0.01)
    assert proxy.failed == [3] and proxy.writes == 3
    assert "answered 400" in str(failed.value) and "tries" not in str(failed.value)
    assert oxigraph_store.count(graph) == 0


def test_in_place_says_what_the_graph_holds(oxigraph_store, seed, tmp_path):
    """Without an update endpoint (--update none) the graph is written in place; a
    failure in the middle says that the graph holds a partial copy, and how many
    triples."""
    ds, triples, _ = seed
    graph = "https://example.org/in-place/"
    with Proxy(oxigraph_store, {3: 400}) as proxy, pytest.raises(PushFailed) as failed:
        push(ds.store, proxy.graph_store, graph, update=None, chunk_triples=300,
             backoff=0.01)
    message = str(failed.value)
    assert f"Graph <{graph}> now holds only the first 600 triples" in message
    assert "give --update URL" in message
    assert oxigraph_store.count(graph) == 600
    done = push(ds.store, oxigraph_store.graph_store, graph, update=None)
    assert done.update is None and oxigraph_store.count(graph) == triples


def test_push_command_with_update_none(oxigraph_store):
    out = regiograph("push", str(SEED), "--endpoint", oxigraph_store.graph_store, "--graph",
                     "https://example.org/cli-in-place/", "--update", "none").stdout
    assert "written in place: no update endpoint)." in out



def test_virtuoso_transaction_limit_is_explained(seed, tmp_path):
    """Virtuoso refuses a transaction larger than its TransactionAfterImageLimit (SR325,
    a 500 that would come again): not retried, the graphs left as they were, the staging
    graphs removed, and the message says what would mend it."""
    from tests.stores import VIRTUOSO_MISSING, virtuoso_programs, virtuoso_server

    if virtuoso_programs() is None:
        pytest.skip(VIRTUOSO_MISSING)
    ds, _, _ = seed
    graph = "https://example.org/limited/"
    # 60 000 bytes: a chunk of 100 triples fits, replacing the seed's graphs does not
    with virtuoso_server(tmp_path / "virtuoso", after_image=60_000) as store:
        old = Dataset.open(tiny_dataset(tmp_path / "old", graph))
        push(old.store, store.graph_store, graph, login=_login(store))
        before = store.count(graph)
        with pytest.raises(PushFailed) as failed:
            push(ds.store, store.graph_store, graph, login=_login(store), chunk_triples=100)
        message = str(failed.value)
        assert "SR325" in message and "TransactionAfterImageLimit" in message
        assert "tries" not in message  # not sent again
        assert "no graph was replaced. The staging graphs were removed." in message
        assert store.count(graph) == before and store.graphs(STAGING) == {}


@pytest.mark.parametrize("update", ["auto", None])
def test_a_large_chunk_reaches_virtuoso(virtuoso_store, update):
    """A chunk of 9 MB: Virtuoso answers an unauthenticated large body with 401 and
    closes the connection mid-body, so the login goes with it from the first try (after
    a small request that gets the digest challenge: the first update, or without an
    update endpoint a GET of a graph that holds nothing)."""
    from pyoxigraph import Literal, NamedNode, Quad

    store = Store()
    p = NamedNode("https://example.org/p")
    store.extend(Quad(NamedNode(f"https://example.org/s{i}"), p,
                      Literal(f"{i} " + "a long literal " * 8)) for i in range(60_000))
    graph = f"https://example.org/large-chunk/{update}/"
    done = push(store, virtuoso_store.graph_store, graph, login=_login(virtuoso_store),
                update=update)
    assert done.triples == 60_000 and done.requests <= 6 and done.update == (
        virtuoso_store.update if update else None)
    assert virtuoso_store.count(graph) == 60_000
