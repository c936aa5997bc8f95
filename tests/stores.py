"""Real triple stores for the tests, started on 127.0.0.1 and stopped again.

- :func:`oxigraph_server`: the oxigraph server (PyPI ``oxigraph``, beside this Python),
  writable, on a folder of its own: Graph Store Protocol at ``/store``, queries at
  ``/query``, updates at ``/update``; no login.
- :func:`virtuoso`: OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``, which
  `make test` installs when apt is available), with a database of its own in a temporary
  folder, a fresh random ``dba`` password, and a user ``regiograph`` (random password)
  that has the ``SPARQL_UPDATE`` role: the Graph Store Protocol at
  ``/sparql-graph-crud-auth`` and updates at ``/sparql-auth``, both behind HTTP digest
  auth, and anonymous read-only queries at ``/sparql``. When ``virtuoso-t`` is missing
  the tests that need it are skipped with a sentence that says so.

Each fixture yields a :class:`Running` (its URLs and login) and stops what it started
(terminate, wait, kill) when its scope ends. Virtuoso takes a few seconds to create its
database, so its fixture is session-wide; tests that need an empty store use graphs of
their own.

Use them in a test module with ``from tests.stores import oxigraph_store, virtuoso_store``
(pytest finds imported fixtures).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from graph.query import sparql

BIN = Path(sys.executable).parent

VIRTUOSO_MISSING = (
    "Virtuoso 7 is not installed (no virtuoso-t or isql-vt on PATH), so the tests against "
    "Virtuoso are skipped: `make test` installs Debian's virtuoso-opensource-7-bin when apt "
    "is available; or run `apt-get install virtuoso-opensource-7-bin`.")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_sigint() -> None:
    """For ``preexec_fn``: Ctrl-C acts on the child as at a terminal. A test run started
    as a background job (``make test &``, a CI runner's script) has SIGINT ignored, and
    its children would inherit that."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(command: list[str], port: int, *, within: float = 60, **popen) -> subprocess.Popen:
    """Run ``command`` and return once it listens on 127.0.0.1:``port`` (stopped again,
    and the error raised, when it does not)."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    proc = subprocess.Popen(command, **popen)
    try:
        sparql.wait_listening(proc, "127.0.0.1", port, within=within)
    except sparql.QueryError:
        stop(proc)
        raise
    return proc


def stop(proc: subprocess.Popen, within: float = 15) -> None:
    """Terminate ``proc``, wait ``within`` seconds, then kill it; close its pipes."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(within)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


@dataclass(frozen=True)
class Running:
    """A store that runs: where to query it, write graphs and send updates, and the
    login those need (``user`` None: none)."""

    name: str
    query: str
    graph_store: str
    update: str | None
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def env(self) -> dict[str, str]:
        """The environment for a `regiograph` command that logs in as ``user``."""
        env = dict(os.environ)
        if self.password is not None:
            env["REGIOGRAPH_PASSWORD"] = self.password
        return env

    def login_args(self) -> list[str]:
        return ["--user", self.user] if self.user else []

    def select(self, text: str) -> list[dict]:
        """The rows of a SELECT on the query endpoint (anonymous), as {var: value}."""
        body = urllib.parse.urlencode({"query": text}).encode()
        req = urllib.request.Request(self.query, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            rows = json.loads(r.read())["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in rows]

    def count(self, graph: str) -> int:
        """The number of triples in the named graph ``graph``."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                           "{ ?s ?p ?o } }")
        return int(rows[0]["n"])

    def graphs(self, prefix: str) -> dict[str, int]:
        """{graph IRI: triples} of the named graphs whose IRI starts with ``prefix``."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                           f"FILTER (STRSTARTS(STR(?g), {json.dumps(prefix)})) }} "
                           "GROUP BY ?g")
        return {r["g"]: int(r["n"]) for r in rows}


# -- the oxigraph server ------------------------------------------------------------


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[Running]:
    """A writable oxigraph server on a store in ``folder``, on a free port."""
    port = free_port()
    proc = start([str(BIN / "oxigraph"), "serve", "--location", str(folder),
                  "--bind", f"127.0.0.1:{port}"], port)
    base = f"http://127.0.0.1:{port}"
    try:
        yield Running("oxigraph", f"{base}/query", f"{base}/store", f"{base}/update")
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def oxigraph_store(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as running:
        yield running


# -- Virtuoso 7 ---------------------------------------------------------------------


def virtuoso_programs() -> tuple[str, str] | None:
    """(virtuoso-t, isql-vt) when both are installed, else None."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, buffers: int = 10_000,
                 after_image: int = 50_000_000) -> str:
    """The least virtuoso.ini that runs a server on ``folder``: its database, log and
    temporary files there, SQL and HTTP on 127.0.0.1 only; ``buffers`` pages of 8 KB
    (10 000: 80 MB); ``after_image``: the most bytes one transaction may change
    (TransactionAfterImageLimit; Virtuoso's default, 50 MB, is kept unless asked)."""
    return textwrap.dedent(f"""\
        [Database]
        DatabaseFile = {folder}/virtuoso.db
        ErrorLogFile = {folder}/virtuoso.log
        LockFile = {folder}/virtuoso.lck
        TransactionFile = {folder}/virtuoso.trx
        xa_persistent_file = {folder}/virtuoso.pxa
        FileExtend = 200
        Striping = 0
        TempStorage = TempDatabase

        [TempDatabase]
        DatabaseFile = {folder}/virtuoso-temp.db
        TransactionFile = {folder}/virtuoso-temp.trx
        Striping = 0

        [Parameters]
        ServerPort = 127.0.0.1:{sql_port}
        DisableUnixSocket = 1
        CheckpointInterval = 0
        NumberOfBuffers = {buffers}
        MaxDirtyBuffers = {buffers * 3 // 4}
        DirsAllowed = {folder}
        VADInstallDir = {folder}/vad
        TransactionAfterImageLimit = {after_image}

        [HTTPServer]
        ServerPort = 127.0.0.1:{http_port}
        ServerRoot = {folder}/www
        ServerThreads = 8
        MaxClientConnections = 8

        [SPARQL]
        ResultSetMaxRows = 10000000
        MaxQueryExecutionTime = 600
        """)


def isql(isql_program: str, port: int, password: str, script: str) -> str:
    """Run ``script`` (SQL statements, each ending in ``;``) as dba through isql-vt;
    RuntimeError with isql's message when one fails. The script goes on stdin, so the
    passwords in it are not on a command line."""
    proc = subprocess.run([isql_program, f"127.0.0.1:{port}", "dba", password],
                          input=script, capture_output=True, text=True, timeout=120)
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if "*** Error" in line]
    if proc.returncode != 0 or errors:
        message = "; ".join(errors) or proc.stderr.strip() or f"exit {proc.returncode}"
        raise RuntimeError(f"isql-vt: {message}")
    return proc.stdout


@contextlib.contextmanager
def virtuoso_server(folder: Path, buffers: int = 10_000,
                    after_image: int = 50_000_000) -> Iterator[Running]:
    """Virtuoso 7 on a new database in ``folder``, on free ports of 127.0.0.1, with a
    random dba password and a user ``regiograph`` allowed SPARQL updates (digest auth).
    Raises RuntimeError when Virtuoso is not installed (:data:`VIRTUOSO_MISSING`)."""
    programs = virtuoso_programs()
    if programs is None:
        raise RuntimeError(VIRTUOSO_MISSING)
    server, isql_program = programs
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "www").mkdir(exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, sql_port, http_port, buffers,
                                                                      after_image),
                                         "utf-8")
    log = open(folder / "virtuoso.out", "wb")  # noqa: SIM115 - closed in finally
    proc = start([server, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                 http_port, cwd=folder, stdout=log, stderr=subprocess.STDOUT, within=120)
    try:
        sparql.wait_listening(proc, "127.0.0.1", sql_port, within=60)
        admin, password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        # the default dba/dba login is open only until this first script has run
        isql(isql_program, sql_port, "dba", f"""
            USER_SET_PASSWORD('dba', '{admin}');
            USER_CREATE('regiograph', '{password}');
            GRANT SPARQL_UPDATE TO "regiograph";
            """)
        base = f"http://127.0.0.1:{http_port}"
        yield Running("virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud-auth",
                      f"{base}/sparql-auth", "regiograph", password)
    finally:
        stop(proc, within=30)
        log.close()


@pytest.fixture(scope="session")
def virtuoso_store(tmp_path_factory):
    if virtuoso_programs() is None:
        pytest.skip(VIRTUOSO_MISSING)
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


@contextlib.contextmanager
def serving(do_post):
    """An HTTP server on 127.0.0.1 (a free port) whose POSTs ``do_post(handler, body)``
    answers: its URL, and it is stopped after the block."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server naming
            do_post(self, self.rfile.read(int(self.headers.get("Content-Length", 0))))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
