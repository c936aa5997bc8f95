"""``regiograph serve``: a read-only SPARQL 1.1 Protocol endpoint that no query takes down.

Every query goes through :func:`.sparql.prepare` (the guard of ``regiograph query``:
SERVICE, FROM, updates, deep nesting and long texts are refused with 400 before
anything runs) and then runs in a worker process of its own (:func:`.sparql.run_local`):
a fresh interpreter that opens the store read-only under a memory limit (RLIMIT_AS)
and is killed at the deadline. A query that runs too long costs its request a 504,
one that exhausts the memory or crashes the engine a 503; the endpoint and the other
requests go on. At most ``workers`` queries run at once; a request that finds no free
worker within :data:`SLOT_WAIT` seconds gets 503 (with Retry-After). The guard's parse
runs in the server process, one at a time (rdflib's parser is not thread-safe).

Routes: ``/`` a small query page; ``/query`` the SPARQL protocol (GET ``?query=``,
POST form or ``application/sparql-query``); ``/update`` and ``/store`` (Graph Store
writes) 403; other paths 404; methods other than GET, HEAD and POST 405 (403 on the
write routes).

Results by the Accept header: SPARQL results JSON, XML, CSV or TSV for SELECT and
ASK; N-Triples, Turtle or JSON-LD for CONSTRUCT and DESCRIBE; 406 when none fits.
"""

from __future__ import annotations

import html
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from . import sparql

DEFAULT_MEMORY_MB = 2048
"""Address space a query worker may use (MiB, ``--memory``); the worker itself (Python,
pyoxigraph, the opened store) takes ~130 MiB of it."""
MIN_MEMORY_MB = 200
SLOT_WAIT = 10.0
"""Seconds a request waits for a free worker before it gets 503."""
MAX_BODY = 4 * 4 * sparql.MAX_QUERY_CHARS
"""Largest request body read (bytes); longer ones get 413 unread."""

RESULT_TYPES = [  # (media type offered, format of sparql.RESULT_FORMATS)
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
    ("text/xml", "xml"), ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
]
GRAPH_TYPES = [  # (media type offered, format of sparql.GRAPH_FORMATS)
    ("text/turtle", "turtle"), ("application/n-triples", "ntriples"),
    ("application/ld+json", "jsonld"), ("text/plain", "ntriples"),
]


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The offer the Accept header prefers (q-values, the most specific range wins;
    ties go to the first offer); the first offer for no header; None when none fits."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for part in accept.split(","):
        kind, *params = [p.strip() for p in part.split(";")]
        kind = kind.lower()
        if not kind:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((kind, q))
    best, best_q = None, 0.0
    for offer in offers:
        media = offer[0]
        major = media.split("/")[0]
        found, specificity = 0.0, -1
        for kind, q in ranges:
            level = 2 if kind == media else 1 if kind == f"{major}/*" else \
                0 if kind == "*/*" else -1
            if level > specificity:
                found, specificity = q, level
        if specificity >= 0 and found > best_q:
            best, best_q = offer, found
    return best


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class Endpoint:
    """What the handler needs: the store, the limits, the live workers."""

    store: Path
    timeout: float = sparql.DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY_MB * 2**20
    workers: int = max(2, os.cpu_count() or 1)
    slot_wait: float = SLOT_WAIT
    live: set = field(default_factory=set)
    closing: bool = False

    def __post_init__(self):
        self.slots = threading.BoundedSemaphore(self.workers)
        # the guard's rdflib parse runs in this process, one at a time: rdflib's SPARQL
        # parser (pyparsing) is not thread-safe (two parses at once fail with
        # TypeErrors from inside pyparsing); a long text takes up to ~1 s
        self.guards = threading.BoundedSemaphore(1)
        self.lock = threading.Lock()

    def track(self, proc: subprocess.Popen, started: bool) -> None:
        with self.lock:
            if started and self.closing:
                proc.kill()
            elif started:
                self.live.add(proc)
            else:
                self.live.discard(proc)

    def stop_workers(self) -> None:
        """Kill every live worker (the server is stopping)."""
        with self.lock:
            self.closing = True
            procs = list(self.live)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def answer(self, text: str, accept: str | None) -> tuple[str, bytes]:
        """(content type, body) for the query ``text``; HttpError otherwise."""
        if not self.guards.acquire(timeout=self.slot_wait):
            raise HttpError(503, "the endpoint is busy checking other queries; try again",
                            {"Retry-After": "5"})
        try:
            prepared = sparql.prepare(text)
        except sparql.QueryError as exc:
            raise HttpError(400, str(exc)) from None
        finally:
            self.guards.release()
        offers = GRAPH_TYPES if prepared.is_graph else RESULT_TYPES
        chosen = negotiate(accept, offers)
        if chosen is None:
            what = "CONSTRUCT and DESCRIBE" if prepared.is_graph else "SELECT and ASK"
            raise HttpError(406, f"{what} answers come as "
                            + ", ".join(dict.fromkeys(m for m, _ in offers))
                            + f"; the Accept header asks for {accept}")
        media, fmt = chosen
        if not self.slots.acquire(timeout=self.slot_wait):
            raise HttpError(503, f"all {self.workers} query workers are busy; try again",
                            {"Retry-After": "5"})
        try:
            answer = sparql.run_local(self.store, prepared, timeout=self.timeout,
                                      memory=self.memory, result_format=fmt,
                                      track=self.track)
        except sparql.QueryTimeout as exc:
            raise HttpError(504, str(exc)) from None
        except sparql.WorkerFailed as exc:
            raise HttpError(503, f"{exc}. The query was stopped; the endpoint goes on.") \
                from None
        except sparql.EngineError as exc:
            status = 503 if "MemoryError" in str(exc) else 500
            raise HttpError(status, str(exc)) from None
        except sparql.QueryError as exc:  # the engine's syntax error, a refused binding
            raise HttpError(400, str(exc)) from None
        finally:
            self.slots.release()
        charset = "; charset=utf-8" if fmt != "ntriples" or media == "text/plain" else ""
        return media + charset, answer.data


EXAMPLE = """SELECT ?project ?id WHERE {
  ?project a rg:Project ; dct:identifier ?id .
} ORDER BY ?id LIMIT 20"""
"""The query the page shows first (rg:, dct:, … are predeclared)."""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>regiograph SPARQL</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}
textarea{{width:100%;font-family:monospace}}pre{{background:#f4f4f4;padding:1em;
overflow:auto;max-height:40em}}</style></head><body>
<h1>regiograph: SPARQL query</h1>
<p>Read-only endpoint at <code>/query</code> (SPARQL 1.1 protocol). SERVICE, FROM and
updates are refused; queries stop after {timeout} s.</p>
<form id="f"><textarea id="q" rows="12">{example}</textarea>
<p><label>Answer as <select id="a">
<option>application/sparql-results+json</option><option>text/csv</option>
<option>text/tab-separated-values</option><option>application/sparql-results+xml</option>
<option>text/turtle</option><option>application/n-triples</option>
<option>application/ld+json</option></select></label>
<button type="submit">Run</button></p></form>
<pre id="out"></pre>
<script>
document.getElementById("f").addEventListener("submit", async (e) => {{
  e.preventDefault();
  const out = document.getElementById("out");
  out.textContent = "running…";
  const r = await fetch("query", {{method: "POST",
    headers: {{"Content-Type": "application/sparql-query",
              "Accept": document.getElementById("a").value}},
    body: document.getElementById("q").value}});
  out.textContent = (r.ok ? "" : r.status + " " + r.statusText + "\\n") + await r.text();
}});
</script></body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "regiograph"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request
    endpoint: Endpoint  # set on the subclass made by make_server

    # -- routing ---------------------------------------------------------------

    def _route(self, method: str) -> None:
        try:
            path = urllib.parse.urlsplit(self.path).path
            if path in ("/update", "/store") or path.startswith("/store/"):
                raise HttpError(403, "this endpoint is read-only: updates and Graph Store "
                                "writes are refused")
            if method not in ("GET", "HEAD", "POST"):
                raise HttpError(405, f"{method} is not allowed here",
                                {"Allow": "GET, HEAD, POST"})
            if path == "/":
                if method == "POST":
                    raise HttpError(405, "POST your query to /query", {"Allow": "GET, HEAD"})
                self._drain()
                page = PAGE.format(timeout=f"{self.endpoint.timeout:g}",
                                   example=html.escape(EXAMPLE))
                self._send(200, "text/html; charset=utf-8", page.encode("utf-8"))
                return
            if path != "/query":
                raise HttpError(404, f"no such resource: {path} (the endpoint is /query)")
            text = self._query_text(method)
            media, body = self.endpoint.answer(text, self.headers.get("Accept"))
            self._send(200, media, body)
        except HttpError as exc:
            if exc.status >= 500:
                self.log_error("%d %s", exc.status, exc.message.splitlines()[0][:300])
            self._send(exc.status, "text/plain; charset=utf-8",
                       exc.message.encode("utf-8") + b"\n", exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - a bug here costs this request only
            self.log_error("500 %s: %s", type(exc).__name__, exc)
            self.close_connection = True
            try:
                self._send(500, "text/plain; charset=utf-8",
                           f"internal error: {type(exc).__name__}: {exc}\n".encode())
            except OSError:
                pass

    def do_GET(self):  # noqa: N802 - the http.server naming
        self._route("GET")

    def do_HEAD(self):  # noqa: N802
        self._route("HEAD")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def do_PUT(self):  # noqa: N802
        self._route("PUT")

    def do_DELETE(self):  # noqa: N802
        self._route("DELETE")

    def do_PATCH(self):  # noqa: N802
        self._route("PATCH")

    def do_OPTIONS(self):  # noqa: N802
        self._route("OPTIONS")

    # -- the request -----------------------------------------------------------

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise HttpError(411, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise HttpError(400, "Content-Length is not a number") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise HttpError(413, f"the request body is {length} bytes; at most {MAX_BODY} "
                            "are read")
        return self.rfile.read(length) if length else b""

    def _drain(self) -> None:
        if self.headers.get("Content-Length") or self.headers.get("Transfer-Encoding"):
            self._body()

    def _query_text(self, method: str) -> str:
        query = urllib.parse.urlsplit(self.path).query
        fields = urllib.parse.parse_qs(query, keep_blank_values=True)
        if method == "POST":
            kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = self._body()
            if kind == "application/x-www-form-urlencoded":
                try:
                    form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                                 errors="strict")
                except (UnicodeDecodeError, ValueError):
                    raise HttpError(400, "the form is not UTF-8 text") from None
                for name, values in form.items():
                    fields.setdefault(name, []).extend(values)
            elif kind == "application/sparql-query":
                if "query" in fields:
                    raise HttpError(400, "a query in the body and another in the URL")
                try:
                    fields["query"] = [body.decode("utf-8")]
                except UnicodeDecodeError:
                    raise HttpError(400, "the query is not UTF-8 text") from None
            elif kind == "application/sparql-update":
                raise HttpError(403, "updates are refused: this endpoint is read-only")
            else:
                raise HttpError(415, "POST a query as application/x-www-form-urlencoded "
                                "(query=…) or as application/sparql-query"
                                + (f", not {kind}" if kind else ""))
        else:
            self._drain()
        if "update" in fields:
            raise HttpError(403, "updates are refused: this endpoint is read-only")
        if fields.get("default-graph-uri") or fields.get("named-graph-uri"):
            raise HttpError(400, "default-graph-uri and named-graph-uri are refused: the "
                            "endpoint serves one dataset (use GRAPH <…> { … } for a named "
                            "graph of the store)")
        queries = fields.get("query", [])
        if not queries:
            raise HttpError(400, "no query: send query=… (GET or a form POST) or a body "
                            "of type application/sparql-query")
        if len(queries) > 1:
            raise HttpError(400, f"{len(queries)} queries in one request; send one")
        return queries[0]

    # -- the answer ------------------------------------------------------------

    def _send(self, status: int, media: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the http.server signature
        pass  # one line per request would fill a pipe nobody reads

    def log_error(self, format, *args):  # noqa: A002
        try:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(endpoint: Endpoint, host: str, port: int) -> Server:
    """The HTTP server of ``endpoint`` bound to ``host:port`` (OSError when it cannot)."""
    handler = type("BoundHandler", (Handler,), {"endpoint": endpoint})
    return (Server6 if ":" in host else Server)((host, port), handler)


def check_store(store: Path) -> None:
    """Open the built store read-only once, as a worker will; raises when it cannot."""
    from ..store.store import open_store

    store_handle = open_store(store)
    del store_handle


def serve_forever(server: Server, endpoint: Endpoint) -> None:
    """Serve until Ctrl-C or SIGTERM; then kill the live workers and close the socket."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        endpoint.stop_workers()
        server.server_close()
