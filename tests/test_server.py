"""`regiograph serve` (the read-only SPARQL protocol endpoint of graph.query.endpoint)
and `regiograph query --endpoint` (`push` is tested in tests/test_push.py).

Every server binds 127.0.0.1 on a free port and is stopped (terminate + wait) by its
fixture's finaliser.
"""

from __future__ import annotations

import csv
import html
import http.server
import io
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graph.query import remote, sparql
from tests.conftest import SEED
from tests.stores import free_port, start, stop

BIN = Path(sys.executable).parent
REGIOGRAPH = BIN / "regiograph"
GRAPH = "https://example.org/lapland/"


@pytest.fixture(scope="module")
def served():
    """`regiograph serve data/lapland` (built into a temporary store): its base URL."""
    port = free_port()
    proc = start([str(REGIOGRAPH), "serve", str(SEED), "--port", str(port), "--timeout", "10"],
                 port)
    yield f"http://127.0.0.1:{port}"
    stop(proc)


def request(url: str, *, method: str = "GET", data: bytes | None = None,
            headers: dict | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/regiograph/ns#Project> }"


def get(base: str, query: str, accept: str):
    url = f"{base}/query?{urllib.parse.urlencode({'query': query})}"
    return request(url, headers={"Accept": accept})


# -- serve: the SPARQL protocol --------------------------------------------------------


def test_serve_prints_its_addresses():
    port = free_port()
    proc = start([str(REGIOGRAPH), "serve", str(SEED), "--port", str(port)], port)
    try:
        line = b""
        while b"SPARQL endpoint" not in line:
            line = proc.stdout.readline()
            assert line, "serve ended without printing its endpoint"
        assert f"http://127.0.0.1:{port}/query".encode() in line
    finally:
        stop(proc)


def test_get_with_json(served):
    status, kind, body = get(served, COUNT, "application/sparql-results+json")
    assert status == 200 and kind.startswith("application/sparql-results+json")
    n = json.loads(body)["results"]["bindings"][0]["n"]["value"]
    assert int(n) >= 4


def test_post_form_and_direct(served):
    form = urllib.parse.urlencode({"query": COUNT}).encode()
    status, _, body = request(f"{served}/query", method="POST", data=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"]
    status, _, body = request(f"{served}/query", method="POST", data=COUNT.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"]


def test_content_negotiation(served):
    status, kind, body = get(served, COUNT, "application/sparql-results+xml")
    assert status == 200 and "xml" in kind
    assert ET.fromstring(body).tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    status, kind, body = get(served, COUNT, "text/csv")
    assert status == 200 and kind.startswith("text/csv")
    assert next(csv.reader(io.StringIO(body.decode()))) == ["n"]
    status, kind, body = get(served, COUNT, "text/tab-separated-values")
    assert status == 200 and body.decode().splitlines()[0] == "?n"
    construct = "CONSTRUCT WHERE { ?s a <https://w3id.org/regiograph/ns#Project> }"
    status, kind, body = get(served, construct, "application/n-triples")
    assert status == 200 and body.count(b"\n") >= 4


@pytest.mark.parametrize("case", [
    "no query in a form", "two queries", "bad syntax", "wrong content type",
    "no content type", "unacceptable result format"])
def test_malformed_requests_get_4xx(served, case):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    if case == "no query in a form":
        status, _, _ = request(f"{served}/query", method="POST", data=b"foo=bar", headers=form)
    elif case == "two queries":
        q = urllib.parse.urlencode([("query", "ASK {}"), ("query", "ASK {}")])
        status, _, _ = request(f"{served}/query?{q}")
    elif case == "bad syntax":
        status, _, _ = get(served, "SELEC * WHERE { ?s ?p ?o }", "application/sparql-results+json")
    elif case == "wrong content type":
        status, _, _ = request(f"{served}/query", method="POST", data=b"ASK {}",
                               headers={"Content-Type": "text/plain"})
    elif case == "no content type":
        status, _, _ = request(f"{served}/query", method="POST", data=b"ASK {}")
    else:
        status, _, _ = get(served, COUNT, "image/png")
    assert 400 <= status < 500


def test_updates_and_writes_are_refused(served):
    update = urllib.parse.urlencode({"update": "CLEAR ALL"}).encode()
    status, _, _ = request(f"{served}/update", method="POST", data=update, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, _ = request(f"{served}/update", method="POST", data=b"DROP ALL",
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, _ = request(f"{served}/store?default", method="PUT", data=b"",
                           headers={"Content-Type": "application/n-triples"})
    assert status == 403
    status, _, body = get(served, COUNT, "application/sparql-results+json")
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) >= 4


def test_graph_formats_page_and_other_routes(served):
    construct = "CONSTRUCT WHERE { ?s a <https://w3id.org/regiograph/ns#Project> }"
    status, kind, body = get(served, construct, "text/turtle")
    assert status == 200 and kind.startswith("text/turtle") and b"rg:Project" in body
    status, kind, body = get(served, construct, "application/ld+json")
    assert status == 200 and json.loads(body)
    status, kind, body = get(served, construct, "application/sparql-results+json")
    assert status == 406 and b"text/turtle" in body  # a graph is no result table
    status, kind, body = get(served, "ASK { ?s ?p ?o }", "text/csv;q=0.5, text/html")
    assert status == 200 and kind.startswith("text/csv") and body.strip() == b"true"
    status, kind, _ = get(served, "ASK { ?s ?p ?o }", "*/*")
    assert status == 200 and kind.startswith("application/sparql-results+json")
    status, kind, body = request(f"{served}/")
    assert status == 200 and kind.startswith("text/html") and b"<textarea" in body
    example = html.unescape(body.decode().split('rows="12">')[1].split("</textarea>")[0])
    status, _, body = get(served, example, "text/csv")
    assert status == 200 and len(body.decode().splitlines()) > 4  # the page's example runs
    assert request(f"{served}/nothing")[0] == 404
    assert request(f"{served}/query", method="DELETE")[0] == 405
    assert request(f"{served}/query", method="OPTIONS")[0] == 405
    q = urllib.parse.urlencode({"update": "CLEAR ALL"})
    assert request(f"{served}/query?{q}")[0] == 403
    q = urllib.parse.urlencode({"query": "ASK {}", "default-graph-uri": "http://x.org/"})
    assert request(f"{served}/query?{q}")[0] == 400
    status, kind, body = get(served, "SELECT * FROM <http://x.org/> WHERE { ?s ?p ?o }", "*/*")
    assert status == 400 and kind.startswith("text/plain") and b"FROM" in body
    status, _, body = get(served, "CLEAR ALL", "*/*")
    assert status == 400 and b"updates are refused" in body


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_POST(self):  # noqa: N802 - the http.server naming
        type(self).seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _Recorder.seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_endpoint_refuses_service(served, recorder):
    """SERVICE never leaves the host: the endpoint's guard (the one of `regiograph
    query`) refuses it with 400 before anything runs, and the recorder on 127.0.0.1
    receives nothing. (The oxigraph server `serve` used before called the URL.)"""
    url, seen = recorder
    for query in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"):
        status, kind, body = get(served, query, "application/sparql-results+json")
        assert status == 400 and kind.startswith("text/plain"), (query, status)
        assert b"SERVICE" in body
    form = urllib.parse.urlencode({"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    status, _, _ = request(f"{served}/query", method="POST", data=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400
    assert seen == []


def test_query_endpoint_refuses_service_before_sending(served, recorder):
    url, seen = recorder
    proc = subprocess.run([str(REGIOGRAPH), "query", "--endpoint", f"{served}/query",
                           f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "is refused" in proc.stderr
    assert seen == []


def test_named_query_against_the_endpoint(served):
    proc = subprocess.run([str(REGIOGRAPH), "query", "--endpoint", f"{served}/query",
                           "--name", "actor-tables", "--param", "actor=leader-kylakulttuuria",
                           "--format", "csv"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows and {r["actor"] for r in rows} == {GRAPH + "leader-kylakulttuuria"}


def test_a_param_stays_a_literal_against_the_endpoint(served):
    value = '" } ; DROP ALL #'
    answer = remote.run_remote(f"{served}/query",
                               sparql.prepare("SELECT ?v WHERE { BIND (1 AS ?one) }"),
                               {"v": value})
    assert json.loads(answer.data)["results"]["bindings"][0]["v"]["value"] == value
