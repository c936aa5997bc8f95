"""Push a dataset's graphs to a shared triple store: in chunks, retried, replaced at once.

``regiograph push`` sends two graphs to a SPARQL 1.1 Graph Store Protocol endpoint: the
dataset's own triples (to the named graph ``graph``) and the facts derived when it was
built (to ``graph.store.derive.derived_graph_of(graph)``, one per dataset). How:

1. Each graph is written by the store engine to a temporary N-Triples file (never held
   whole in memory: 165 MB at 1M triples) and read back in chunks of at most
   :data:`CHUNK_TRIPLES` triples and :data:`CHUNK_BYTES` bytes, one HTTP request each.
2. A chunk that meets a transient error (connection refused or reset, a timeout, HTTP 429
   or 5xx) is sent again after a pause that doubles (1, 2, 4 s), at most :data:`TRIES`
   times in all; a 4xx answer (a bad login, a refused graph) is never retried.
3. **The graphs are replaced only when all of them arrived.** With an update endpoint
   (given, or known from the Graph Store endpoint's address: :func:`update_endpoint_of`),
   the chunks go to staging graphs (:func:`staging_graph_of`: the first chunk by PUT,
   which empties what an earlier failed push left there, the others by POST), and one
   SPARQL 1.1 Update request then drops each target and adds its staging graph to it:
   one request, one transaction on the oxigraph server and on Virtuoso. When a chunk
   fails for good, the targets are as they were, the staging graphs are dropped (or, when
   even that fails, the message names them and says how to remove them).
   Without an update endpoint (``update=None``) each graph is written in place: a graph
   of one chunk by one PUT (replaced at once by the protocol), a larger one chunk after
   chunk; when a chunk fails, the message says how much of it the target holds.

The data has no blank nodes (graph.rdf never writes one): a blank node's label is local to
one request, and two chunks would make two nodes of it.

>>> update_endpoint_of("http://127.0.0.1:8890/sparql-graph-crud-auth")
'http://127.0.0.1:8890/sparql-auth'
>>> update_endpoint_of("http://example.org/graphs") is None
True
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from ..base.text import one_line
from ..store.derive import derived_graph_of
from .connection import Login, Redirected, opener, refused_login, server_words
from .sparql import EndpointError, QueryError, check_endpoint, check_timeout

CHUNK_TRIPLES = 50_000
"""Most triples in one request (~8 MB of the generated data's N-Triples)."""
CHUNK_BYTES = 16 * 2**20
"""Most bytes in one request, whatever the number of triples (long literals)."""
TRIES = 4
"""Times a request is sent at most when it meets a transient error."""
BACKOFF = 1.0
"""Seconds before the first retry; doubled before each next one."""
RETRY_AFTER_MAX = 60.0
"""Longest pause taken from a store's Retry-After header."""
STAGING = "https://w3id.org/regiograph/staging"
"""Where the staging graphs' IRIs begin (:func:`staging_graph_of`)."""

#: (the Graph Store endpoint's path ends with, the update endpoint's path ends with, store)
KNOWN_LAYOUTS = (
    ("/store", "/update", "the oxigraph server"),
    ("/sparql-graph-crud-auth", "/sparql-auth", "Virtuoso"),
    ("/sparql-graph-crud", "/sparql", "Virtuoso"),
    ("/rdf-graphs/service", "/statements", "GraphDB and RDF4J"),
    ("/data", "/update", "Fuseki"),
)


def update_endpoint_of(graph_store: str) -> str | None:
    """The SPARQL 1.1 Update endpoint that goes with the Graph Store Protocol endpoint
    ``graph_store`` in the stores of :data:`KNOWN_LAYOUTS`, or None (not a known layout).

    >>> update_endpoint_of("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/update'
    >>> update_endpoint_of("http://h:3030/ds/data")
    'http://h:3030/ds/update'
    """
    parts = urllib.parse.urlsplit(graph_store)
    for gsp, update, _ in KNOWN_LAYOUTS:
        if parts.path.endswith(gsp):
            path = parts.path[: -len(gsp)] + update
            return urllib.parse.urlunsplit(parts._replace(path=path))
    return None


def staging_graph_of(graph: str | None) -> str:
    """The graph a push to ``graph`` (None: the default graph) fills before it replaces
    ``graph``: a function of ``graph`` alone, so that the next push to the same graph
    empties what a failed one left.

    >>> staging_graph_of("https://example.org/lapland/")
    'https://w3id.org/regiograph/staging?of=https%3A%2F%2Fexample.org%2Flapland%2F'
    """
    return f"{STAGING}?of={urllib.parse.quote(graph or 'default', safe='')}"


def graph_store_url(endpoint: str, graph: str | None) -> str:
    """``endpoint?graph=IRI`` (a named graph) or ``endpoint?default`` (graph None).

    >>> graph_store_url("http://127.0.0.1:7878/store", "https://e.org/g")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fe.org%2Fg'
    """
    joiner = "&" if "?" in endpoint else "?"
    if graph is None:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}{urllib.parse.urlencode({'graph': graph})}"


@dataclass(frozen=True)
class Pushed:
    """What a push did: the two graphs written and their triples, the requests sent
    (retries included), and the update endpoint that replaced the graphs (None: written
    in place)."""

    graph: str | None
    derived_graph: str
    triples: int
    derived_triples: int
    requests: int
    update: str | None


class Refused(EndpointError):
    """The store answered a request with an HTTP error that sending it again would not
    mend (or it did not mend after :data:`TRIES` tries); ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class PushFailed(EndpointError):
    """A push that stopped before the graphs were replaced; ``str()`` says what the
    store holds now and how to clean it."""


# -- sending with retries ---------------------------------------------------------

#: a graph that never holds anything: fetched (404) to get a store's login challenge
PROBE_GRAPH = f"{STAGING}?probe"
#: bodies larger than this wait for a login challenge before they are sent
AHEAD_BYTES = 64 * 1024


class _DigestAhead(urllib.request.HTTPDigestAuthHandler):
    """urllib's digest handler that, once challenged, sends the login with each next
    request (as curl does). Without it every request goes out first without a login:
    Virtuoso answers a large body's first part with 401 and closes the connection, which
    resets it mid-body."""

    challenge: dict | None = None

    def retry_http_digest_auth(self, req, auth):
        _, challenge = auth.split(" ", 1)
        self.challenge = urllib.request.parse_keqv_list(
            filter(None, urllib.request.parse_http_list(challenge)))
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req):
        if self.challenge and not req.has_header("Authorization"):
            auth = self.get_authorization(req, self.challenge)
            if auth:
                req.add_unredirected_header("Authorization", f"Digest {auth}")
        return req

    https_request = http_request


def _with_digest_ahead(director: urllib.request.OpenerDirector
                       ) -> tuple[urllib.request.OpenerDirector, _DigestAhead | None]:
    """``director`` (graph.query.connection's opener: its redirects and password policy)
    with its digest handler replaced by a :class:`_DigestAhead` on the same passwords."""
    ahead = None
    handlers = []
    for handler in director.handlers:
        if isinstance(handler, urllib.request.HTTPDigestAuthHandler):
            handler = ahead = _DigestAhead(handler.passwd)
        handlers.append(handler)
    rebuilt = urllib.request.OpenerDirector()
    for handler in handlers:
        rebuilt.add_handler(handler)
    return rebuilt, ahead


class _Sender:
    """Sends requests to one store with one login, retrying transient errors."""

    def __init__(self, endpoint: str, login: Login | None, timeout: float, tries: int,
                 backoff: float, sleep: Callable[[float], None] = time.sleep):
        self.opener, self.ahead = _with_digest_ahead(opener(endpoint, login))
        self.probe = graph_store_url(endpoint, PROBE_GRAPH) if login else None
        self.login, self.timeout, self.tries, self.backoff = login, timeout, tries, backoff
        self.sleep, self.requests = sleep, 0

    def _challenge(self) -> None:
        """Get the store's login challenge with a small request, before a large body."""
        self.requests += 1
        try:
            with self.opener.open(urllib.request.Request(self.probe, headers={
                    "Accept": "application/n-triples", "User-Agent": "regiograph"}),
                    timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.read()  # 404 (no such graph) is the usual answer; a refusal shows below
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            pass  # the request itself says what is wrong

    def send(self, url: str, method: str, body: bytes, content_type: str, *,
             retry_unanswered: bool = True) -> int:
        """Send one request; its HTTP status, or EndpointError once it failed for good
        (``retry_unanswered``: also after a timeout or a dropped connection, which a
        request that must not run twice cannot tell from an answer lost on the way)."""
        pause = self.backoff
        for attempt in range(1, self.tries + 1):
            if self.probe and self.ahead and self.ahead.challenge is None \
                    and len(body) > AHEAD_BYTES:
                self._challenge()
            self.requests += 1
            request = urllib.request.Request(url, data=body, method=method, headers={
                "Content-Type": content_type, "User-Agent": "regiograph"})
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    response.read()
                    return response.status
            except Redirected as exc:
                raise EndpointError(str(exc)) from None
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", "replace").strip()
                wait = _retry_after(exc.headers.get("Retry-After"))
                problem = f"{url} answered {exc.code} {one_line(str(exc.reason))}"
                if exc.code in (401, 403):
                    raise Refused(f"{problem}: {refused_login(exc.code, self.login)}"
                                  + (f" ({detail[:200]})" if detail else ""), exc.code) from None
                if not _transient_status(exc.code, detail) or attempt == self.tries:
                    raise Refused(problem + _detail(detail) + _after(attempt),
                                  exc.code) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                reason = getattr(exc, "reason", exc)
                problem = _unreachable(url, reason, self.timeout)
                answered_maybe = not isinstance(reason, ConnectionRefusedError)
                if attempt == self.tries or (answered_maybe and not retry_unanswered):
                    raise EndpointError(problem + _after(attempt)) from None
                wait = None
                if self.ahead:  # a stale challenge may be why: ask for a new one
                    self.ahead.challenge = None
            self.sleep(pause if wait is None else wait)
            pause *= 2
        raise AssertionError("unreachable: the last try returns or raises")


#: Virtuoso's 500 answers that the same request would get again, and what would mend them
LASTING = {
    "SR186": "the user lacks a permission: its store's administrator grants it the "
             "SPARQL_UPDATE role",
    "SR325": "one transaction may change no more than Virtuoso's TransactionAfterImageLimit "
             "(virtuoso.ini, [Parameters]; 50 MB by default): too little for one chunk "
             "calls for a smaller --chunk; too little to replace the graphs in one step, "
             "for a larger limit (its administrator sets it: 2000000000 replaced 1M "
             "triples) or --update none, which writes the graphs in place",
}


def _transient_status(status: int, detail: str) -> bool:
    """An answer worth sending the same request again for: 429 (too many requests) and
    5xx, except the 500 answers of :data:`LASTING`."""
    if status == 429:
        return True
    return 500 <= status < 600 and not any(code in detail for code in LASTING)


def _detail(detail: str) -> str:
    """The store's own words, shortened to their first line, and what would mend the
    error when it is one of :data:`LASTING`."""
    hint = next((f" ({text})" for code, text in LASTING.items() if code in detail), "")
    return server_words(detail) + hint


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value.strip()), RETRY_AFTER_MAX)
    return None


def _after(attempt: int) -> str:
    return f" (after {attempt} tries)" if attempt > 1 else ""


def _unreachable(url: str, reason, timeout: float) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{url} gave no answer within {timeout:g} s"
    return f"cannot reach {url}: {reason}"


# -- chunks -----------------------------------------------------------------------


def chunks(path: str | os.PathLike, max_triples: int = CHUNK_TRIPLES,
           max_bytes: int = CHUNK_BYTES) -> Iterator[tuple[bytes, int]]:
    """The N-Triples file ``path`` as (bytes, triples) chunks of at most ``max_triples``
    lines and ``max_bytes`` bytes (a longer single line is a chunk of its own). One
    triple per line, as the engine writes them. Cost: one pass; memory one chunk.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "g.nt"
    >>> _ = f.write_bytes(b"<a:x> <a:p> 1 .\\n" * 5)
    >>> [n for _, n in chunks(f, max_triples=2)]
    [2, 2, 1]
    """
    lines: list[bytes] = []
    size = 0
    with open(path, "rb") as file:
        for line in file:
            if lines and (len(lines) >= max_triples or size + len(line) > max_bytes):
                yield b"".join(lines), len(lines)
                lines, size = [], 0
            lines.append(line)
            size += len(line)
    if lines:
        yield b"".join(lines), len(lines)


# -- push ---------------------------------------------------------------------------


def _ref(graph: str | None) -> str:
    return "DEFAULT" if graph is None else f"GRAPH <{graph}>"


def _update_text(moves: list[tuple[str | None, str, bool]]) -> str:
    """One SPARQL 1.1 Update that replaces each target by its staging graph
    (``filled``: the staging graph got at least one chunk; else the target is emptied)."""
    steps = []
    for target, staging, filled in moves:
        steps.append(f"DROP SILENT {_ref(target)}")
        if filled:  # not SILENT: a staging graph that vanished fails the whole update
            steps.append(f"ADD <{staging}> TO {_ref(target)}")
            steps.append(f"DROP SILENT GRAPH <{staging}>")
    return " ;\n".join(steps)


def _form(name: str, text: str) -> bytes:
    return urllib.parse.urlencode({name: text}).encode("utf-8")


AUTO = "auto"
"""``update=AUTO``: the update endpoint of a known layout (:func:`update_endpoint_of`)."""


def push(store: Store, endpoint: str, graph: str | None, *, update: str | None = AUTO,
         login: Login | None = None, progress: bool | None = None,
         timeout: float = 300.0, chunk_triples: int = CHUNK_TRIPLES,
         chunk_bytes: int = CHUNK_BYTES, tries: int = TRIES, backoff: float = BACKOFF,
         say: Callable[[str], None] | None = None) -> Pushed:
    """Replace ``graph`` (None: the default graph) at the Graph Store Protocol endpoint
    ``endpoint`` with the default graph of ``store``, and the graph
    ``derived_graph_of(graph)`` with its derived facts (see the module's text for how).

    ``update``: the SPARQL 1.1 Update endpoint, :data:`AUTO` (the one of a known layout,
    else none), or None (write in place). ``login``: sent to the endpoints' own host.
    ``progress``: a bar on stderr (None: when stderr is a terminal). ``say``: told a
    sentence when push falls back to writing in place. Raises :class:`PushFailed` (what
    the store holds now), EndpointError (nothing was changed) or QueryError (exit 2) for
    a bad address or graph. Cost: one pass over the store to write the files, then
    ~one request per 50 000 triples (1M triples to Virtuoso on 127.0.0.1: see
    bench/results.md).

    >>> push(store, "http://127.0.0.1:7878/store", "https://e.org/g").update  # doctest: +SKIP
    'http://127.0.0.1:7878/update'
    """
    from tqdm import tqdm

    from ..store.store import serialize

    check_endpoint(endpoint)
    if graph is not None:
        try:
            NamedNode(graph)
        except ValueError as exc:
            raise QueryError(f"--graph {graph}: not an absolute IRI ({exc})") from None
    if update == AUTO:
        update, guessed = update_endpoint_of(endpoint), True
    else:
        guessed = False
    if update is not None:
        check_endpoint(update, "--update")
    timeout = check_timeout(timeout)
    sender = _Sender(endpoint, login, timeout, tries, backoff)
    derived = derived_graph_of(graph)
    show = sys.stderr.isatty() if progress is None else progress

    if update is not None:
        # the first request: empties staging graphs an earlier failed push left, and
        # shows that the update endpoint is there and takes this login
        try:
            sender.send(update, "POST", _form("update", " ;\n".join(
                f"DROP SILENT GRAPH <{staging_graph_of(g)}>" for g in (graph, derived))),
                "application/x-www-form-urlencoded")
        except Refused as exc:
            # a known layout's address that is no update endpoint here (404, 405, 400)
            if not guessed or exc.status in (401, 403) or not 400 <= exc.status < 500:
                raise
            if say:
                say(f"{update} takes no SPARQL updates ({exc}); writing the graphs in "
                    "place (give --update URL for a push that replaces them only when "
                    "all of them arrived)")
            update = None

    with tempfile.TemporaryDirectory(prefix="regiograph-push-") as work:
        files = []
        for name, is_derived in (("data", False), ("derived", True)):
            path = Path(work) / f"{name}.nt"
            serialize(store, RdfFormat.N_TRIPLES, is_derived, output=path)
            files.append(path)
        total = sum(p.stat().st_size for p in files)
        counts: list[int] = []
        moves: list[tuple[str | None, str, bool]] = []
        with tqdm(total=total, unit="B", unit_scale=True, desc="push", disable=not show,
                  file=sys.stderr) as bar:
            for path, target in zip(files, (graph, derived), strict=True):
                into = staging_graph_of(target) if update is not None else target
                url = graph_store_url(endpoint, into)
                sent = 0
                for number, (body, n) in enumerate(chunks(path, chunk_triples, chunk_bytes)):
                    try:
                        sender.send(url, "PUT" if number == 0 else "POST", body,
                                    "application/n-triples")
                    except EndpointError as exc:
                        raise PushFailed(_failed(exc, target, into, sent, number, update,
                                                 sender, moves)) from None
                    sent += n
                    bar.update(len(body))
                if update is None and sent == 0:  # nothing to send: empty the target
                    sender.send(url, "PUT", b"", "application/n-triples")
                counts.append(sent)
                moves.append((target, into, sent > 0))
            if update is not None:
                bar.set_postfix_str("replacing the graphs (one update)")
                _replace(sender, update, moves)
    return Pushed(graph, derived, counts[0], counts[1], sender.requests, update)


def _replace(sender: _Sender, update: str, moves: list[tuple[str | None, str, bool]]
             ) -> None:
    """Send the one update that replaces the graphs; PushFailed saying what the store
    holds when it fails."""
    try:
        # not sent again after an answer that may have been lost on the way: the update
        # may have run, and a second run would find no staging graphs
        sender.send(update, "POST", _form("update", _update_text(moves)),
                    "application/x-www-form-urlencoded", retry_unanswered=False)
    except Refused as exc:  # answered: the update did not run
        stagings = [s for _, s, filled in moves if filled]
        raise PushFailed(
            f"{exc}. Every triple arrived, but the update that replaces the graphs "
            f"failed: no graph was replaced. {_remove(sender, update, stagings)}") from None
    except EndpointError as exc:  # no answer: the update may have run
        raise PushFailed(
            f"{exc}. Every triple arrived in the staging graphs "
            f"{', '.join(f'<{s}>' for _, s, f in moves if f)}, but the update that "
            f"replaces the graphs gave no answer: if it ran, the graphs are replaced and "
            f"the staging graphs gone; if not, the graphs are as they were. Push again "
            f"to be sure.") from None


def _failed(exc: EndpointError, target: str | None, into: str, sent: int, number: int,
            update: str | None, sender: _Sender, moved: list) -> str:
    """What to say when chunk ``number`` into ``into`` failed for good."""
    where = "the default graph" if target is None else f"graph <{target}>"
    head = f"push stopped at chunk {number + 1} of {where} ({sent} triples sent): {exc}"
    if update is None:
        if number == 0:
            return f"{head}. {where[0].upper()}{where[1:]} is as it was."
        done = "".join(f" Graph <{t}> was replaced whole." for t, _, _ in moved)
        return (f"{head}. {where[0].upper()}{where[1:]} now holds only the first {sent} "
                f"triples of the new data (a partial copy), written in place because "
                f"no update endpoint was used.{done} Push again (it replaces the graph), "
                f"or give --update URL (the store's SPARQL update endpoint) so that "
                f"push replaces graphs only when all of them arrived.")
    left = _remove(sender, update, [s for _, s, _ in moved] + [into])
    return f"{head}. No graph was replaced: {where} is as it was. {left}"


def _remove(sender: _Sender, update: str, stagings: list[str]) -> str:
    """Drop the staging graphs of a push that failed; a sentence that says whether they
    are gone or where they are."""
    if not stagings:
        return ""
    try:
        sender.send(update, "POST", _form("update", " ;\n".join(
            f"DROP SILENT GRAPH <{s}>" for s in stagings)), "application/x-www-form-urlencoded")
        return "The staging graphs were removed."
    except EndpointError:
        return (f"What arrived is still in {', '.join(f'<{s}>' for s in stagings)}: the "
                f"next push to the same graph empties it, or remove it with DROP SILENT "
                f"GRAPH <…> at {update}.")


__all__ = ["AUTO", "BACKOFF", "CHUNK_BYTES", "CHUNK_TRIPLES", "KNOWN_LAYOUTS", "TRIES",
           "PushFailed", "Pushed", "chunks", "graph_store_url", "push", "staging_graph_of",
           "update_endpoint_of"]
