"""A shared SPARQL 1.1 store (the oxigraph server, Virtuoso, Fuseki, GraphDB…) read as if
it were the embedded store: the one place where remote stores and their differences are
handled.

:class:`RemoteStore` answers the part of pyoxigraph's ``Store`` API that the checks, the
projection, the labels, the maps and the report use — ``query(text, substitutions=…)``
giving solutions, a boolean or triples — by sending each query to the endpoint (POST,
SPARQL 1.1 Protocol) and reading the answer with pyoxigraph's own parsers. So every
command that runs on a built store runs unchanged on an endpoint, with the same query
texts.

Where the data lives. ``regiograph push`` writes a dataset's facts to a graph (the
dataset's ``base`` IRI unless ``--graph`` says another) and the facts derived from them
at build to the graph :func:`graph.store.derive.derived_graph_of` names after it. A
query reads the data as its default graph and the derived facts as
``GRAPH <https://w3id.org/regiograph/derived>``, as on a built store: here the data
graph travels as the protocol's ``default-graph-uri`` and the derived graph's IRI is
put in place of that name (in the query's code, never in its strings or comments) and
sent as ``named-graph-uri``. Without a graph, the query is sent as it is, on the
endpoint's own default graph.

Differences between stores met so far (the oxigraph server answers as the embedded
store does; these are Virtuoso 7.2's), and where each is handled. Every one is caught by
tests/test_remote.py, which compares every query of the package and every command's
output on the seed and on generated data (docs/remote.md lists them for users):

- **ASK as a table.** Virtuoso answers an ASK sent with ``Accept:
  application/sparql-results+json`` by a one-row table of one column (``1`` or ``0``),
  not ``{"boolean": …}``: :func:`normalise` reads such a table as the boolean.
- **GROUP_CONCAT's order** is the store's (SPARQL leaves it open), and Virtuoso gives ""
  where the embedded store leaves an empty one unbound:
  :func:`graph.query.sparql.sorted_lists` sorts the items of the named queries' lists
  and unbinds an empty one, for every store.
- **Booleans in results** come back as ``1``/``0`` integers: queries give a yes/no
  column as the text ``"true"``/``"false"`` (overlap checks' ``known1``/``known2``).
- **Language tags.** A filter inside an OPTIONAL that reads a variable bound outside it
  (``FILTER (LANG(?name) = ?lang)``) sees it unbound on Virtuoso, so names came back
  empty: the named queries read the derived ``rg:shownName`` (one rule for the name to
  show) or bind what the filter reads inside the OPTIONAL. Virtuoso orders
  language-tagged literals otherwise than by their text, and compares plain literals of
  the derived graph otherwise: names are ordered by ``STR(?name)``, countries compared
  as ``STR()``.
- **Transitive paths in EXISTS** over variables an OPTIONAL bound matched everything on
  Virtuoso: the area nesting the overlap checks ask is derived once (``rg:within``, see
  graph.store.derive), a plain pattern.
- **Refused or crashing forms**: an aggregate's name in ORDER BY (refused: the query
  groups in a subquery and orders outside), NOT IN inside MINUS in an ordered query (a
  stack overflow: two ``!=`` instead), a BIND of an unbound variable after OPTIONALs
  (evaluated too early: an OPTIONAL and IF instead), CONCAT of unbound values (gives ":"
  where the standard gives an error: bound first, then made).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from functools import lru_cache

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

from ..base.text import one_line
from ..store.derive import DERIVED_GRAPH, derived_graph_of
from .connection import Login, Redirected, opener, refused_login, server_words
from .sparql import (
    BASE_QUERY,
    DEFAULT_TIMEOUT,
    Answer,
    EndpointError,
    Prepared,
    QueryError,
    QueryTimeout,
    bind,
    check_endpoint,
    check_timeout,
    code_parts,
    outer_group,
    prepare,
    results,
)

RESULTS_JSON = "application/sparql-results+json"
_FORM = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*<iri>|BASE\s*<iri>)\s*)*"
                   r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
NTRIPLES = "application/n-triples"


@lru_cache(maxsize=256)
def query_form(text: str) -> str:
    """``"ask"``, ``"select"`` or ``"graph"`` (CONSTRUCT, DESCRIBE): what ``text`` asks
    for: the first keyword after its PREFIX and BASE declarations (comments, strings and
    IRIs skipped), or, when that is not plain, what the embedded engine makes of it on an
    empty store. Raises QueryError for a text the engine cannot read.

    >>> query_form("PREFIX ask: <http://e.org/> # ASK\\nSELECT * { ?s ?p ?o }")
    'select'
    >>> query_form("ASK { ?s ?p ?o }"), query_form("CONSTRUCT WHERE { ?s ?p ?o }")
    ('ask', 'graph')
    """
    code = "".join(" <iri> " if opaque and piece.startswith("<") else
                   " " if opaque and piece.startswith("#") else piece
                   for _, piece, opaque in code_parts(text))
    m = _FORM.match(code)
    if m:
        word = m.group(1).upper()
        return {"SELECT": "select", "ASK": "ask"}.get(word, "graph")
    try:
        result = Store().query(text)
    except SyntaxError as exc:
        raise QueryError(f"not a SPARQL query: {one_line(str(exc))}") from None
    if isinstance(result, QueryBoolean):
        return "ask"
    return "select" if isinstance(result, QuerySolutions) else "graph"


def in_graph(text: str, graph: str | None) -> str:
    """``text`` with the derived graph's name replaced by that of the data in ``graph``
    (:func:`graph.store.derive.derived_graph_of`), in the query's code only: a string or
    comment that mentions the name is left as it is.

    >>> q = 'SELECT * { GRAPH <https://w3id.org/regiograph/derived> { ?s ?p ?o } } # <https://w3id.org/regiograph/derived>'
    >>> code, comment = in_graph(q, "https://e.org/d/").split(" # ")
    >>> code.split()[4]
    '<https://w3id.org/regiograph/derived?of=https%3A%2F%2Fe.org%2Fd%2F>'
    >>> comment
    '<https://w3id.org/regiograph/derived>'
    >>> in_graph(q, None) == q
    True
    """
    if graph is None:
        return text
    old, new = f"<{DERIVED_GRAPH.value}>", f"<{derived_graph_of(graph)}>"
    # an opaque piece is a comment (#…), a string ("…") or an IRI token (<…>): only the
    # last can be the whole name
    return "".join(new if opaque and piece == old else piece
                   for _, piece, opaque in code_parts(text))


def normalise(form: str, data: bytes) -> bytes:
    """The SPARQL JSON results ``data`` of a query of ``form`` as the standard says them:
    an ASK answered by a one-row, one-column table (Virtuoso) becomes
    ``{"head": {}, "boolean": …}``; anything else is returned as it is.

    >>> normalise("ask", b'{"head": {"vars": ["__ask_retval"]}, "results": {"bindings": '
    ...           b'[{"__ask_retval": {"type": "literal", "value": "1"}}]}}')
    b'{"head": {}, "boolean": true}'
    >>> normalise("ask", b'{"head": {}, "boolean": false}')
    b'{"head": {}, "boolean": false}'
    """
    if form != "ask":
        return data
    try:
        doc = json.loads(data)
    except ValueError:
        return data
    if not isinstance(doc, dict) or "boolean" in doc or \
            not isinstance(doc.get("results"), dict):
        return data  # read as what it is, or refused as no SPARQL results, by the caller
    rows = doc["results"].get("bindings")
    if not isinstance(rows, list) or len(rows) > 1:
        return data
    value = ""
    if rows and isinstance(rows[0], dict) and len(rows[0]) == 1:
        cell = next(iter(rows[0].values()))
        value = str(cell.get("value", "")) if isinstance(cell, dict) else ""
    answer = value.strip().lower() in ("1", "true")
    return json.dumps({"head": {}, "boolean": answer}).encode("ascii")


class RemoteStore:
    """A SPARQL 1.1 query endpoint as a read-only store: ``query`` sends the text and
    gives what pyoxigraph's ``Store.query`` gives (solutions, a bool, triples).

    ``graph`` is the IRI of the dataset's data graph (see the module's text), ``login``
    a :class:`graph.query.connection.Login`, ``timeout`` seconds per request. Cost per
    query: one HTTP round trip plus the store's own evaluation and the parse of its
    answer.
    """

    def __init__(self, url: str, graph: str | None = None, *, login: Login | None = None,
                 timeout: float = DEFAULT_TIMEOUT):
        self.url = check_endpoint(url)
        if graph is not None:
            try:
                NamedNode(graph)
            except ValueError:
                raise QueryError(f"--graph {one_line(graph)}: not an absolute IRI") from None
        self.graph = graph
        self.login = login
        self.timeout = check_timeout(timeout)
        self._opener = opener(self.url, login)  # one per store: one login challenge

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r}, graph={self.graph!r}, login={self.login!r})"

    @property
    def dataset(self) -> dict[str, str]:
        """The protocol's dataset parameters that make the data graph the default graph
        and the derived facts its one named graph (none without a graph)."""
        if self.graph is None:
            return {}
        return {"default-graph-uri": self.graph,
                "named-graph-uri": derived_graph_of(self.graph)}

    def send(self, text: str, form: str | None = None) -> bytes:
        """POST ``text`` (already in this store's graphs, see :func:`in_graph`) and return
        the answer's bytes: SPARQL JSON results (normalised) or N-Triples."""
        form = form or query_form(text)
        accept = NTRIPLES if form == "graph" else RESULTS_JSON
        body = urllib.parse.urlencode({"query": text, **self.dataset}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
            "User-Agent": "regiograph"})
        try:
            with _urlopen(request, self.timeout, self.login, self._opener) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise EndpointError(f"{self.url} answered {exc.code} {one_line(str(exc.reason))}"
                                f"{server_words(exc.read())}") from None
        except TimeoutError:
            raise QueryTimeout(f"{self.url} gave no answer within {self.timeout:g} s "
                               "(--timeout)") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(f"cannot reach {self.url}: {reason}") from None
        return normalise(form, data)

    def query(self, text: str, substitutions: Mapping | None = None, **_ignored):
        """What ``pyoxigraph.Store.query(text, substitutions=…)`` gives, from the endpoint.

        ``substitutions`` (variable -> IRI or literal) travel as a trailing ``VALUES``
        block, which binds them as the substitution does for a query whose variables are
        bound in its outermost pattern (the only kind the package substitutes into).
        """
        text = in_graph(text, self.graph)
        if substitutions:
            text += _values(substitutions)
        form = query_form(text)
        data = self.send(text, form)
        try:
            if form == "graph":
                return list(parse(data, format=RdfFormat.N_TRIPLES))
            result = parse_query_results(data, format=QueryResultsFormat.JSON)
            if isinstance(result, QueryBoolean):
                return bool(result)
            return Solutions(result.variables, list(result))  # read whole: errors here
        except (SyntaxError, ValueError, TypeError) as exc:
            what = "N-Triples" if form == "graph" else "SPARQL JSON results"
            raise EndpointError(f"{self.url} answered something that is not {what} "
                                f"(it begins {_begins(data)}: {one_line(str(exc))}); is "
                                "it a SPARQL query endpoint?") from None


class Solutions(list):
    """A SELECT's rows read whole from an endpoint's answer (pyoxigraph ``QuerySolution``
    each), with their ``variables``, as ``Store.query`` gives them."""

    def __init__(self, variables, rows):
        super().__init__(rows)
        self.variables = variables


def run_remote(url: str, prepared: Prepared, params: Mapping[str, object] | None = None,
               timeout: float = DEFAULT_TIMEOUT, graph: str | None = None,
               login: Login | None = None) -> Answer:
    """Send ``prepared`` (checked by :func:`graph.query.sparql.prepare`) to the SPARQL
    endpoint ``url`` (POST, SPARQL 1.1 protocol) through :class:`RemoteStore`, which reads
    ``graph`` and its derived facts, logs in with ``login`` and evens out the stores'
    differences.

    Parameters travel in the text as a ``VALUES`` block at the start of the query's
    outermost group (on the same line: error positions do not move), which binds them as
    the embedded store's substitution does; so a parameter's variable that the pattern
    names must be bound by a triple pattern of that group
    (:attr:`graph.query.sparql.Prepared.anchored`), else QueryError says so. Ids are
    looked up on the endpoint.
    """
    store = RemoteStore(url, graph, login=login, timeout=timeout)
    text = prepared.text
    if params:
        # a variable the pattern binds elsewhere (a subquery, OPTIONAL, UNION) would be
        # joined after them, not substituted; one it never names is selected alike
        loose = [n for n in params if n in prepared.in_pattern
                 and (n not in prepared.anchored or prepared.group_at < 0)]
        if loose:
            raise QueryError(
                f"--param {loose[0]}: on an endpoint a parameter travels in the query as "
                "VALUES at the start of its outermost group, which binds it as on a DATASET "
                f"only when ?{loose[0]} is bound by a triple pattern of that group (not only "
                "in a subquery, OPTIONAL or UNION); bind the value in the query instead")

        def lookup(ident: str) -> NamedNode | None:
            # VALUES inside the group: Virtuoso refuses a trailing one whose variable the
            # SELECT does not give ("No column id")
            probe = prepare("SELECT ?x WHERE { "
                            + _values_clause({"id": Literal(ident)}).strip()
                            + " ?x dct:identifier ?id } LIMIT 2")
            rows = _bindings(url, store.send(probe.text, "select"))
            x = rows[0].get("x") if len(rows) == 1 else None
            if isinstance(x, dict) and x.get("type") == "uri":
                return NamedNode(str(x.get("value")))
            return None

        block = _values_clause(bind(params, lookup)).strip()
        at = prepared.group_at if prepared.group_at >= 0 else outer_group(text)
        sent = f"{text[:at]} {block}{text[at:]}" if at >= 0 else f"{text}\n{block}"
        prepared = prepare(sent)  # checked once more as sent
        text = prepared.text
    data = store.send(in_graph(text, graph), "graph" if prepared.is_graph else prepared.form)
    answer = Answer("graph" if prepared.is_graph else "results", data, "")
    _check_answer(url, answer)
    bases = _bindings(url, store.send(BASE_QUERY, "select"))
    d = bases[0].get("d") if len(bases) == 1 else None
    answer.base = str(d.get("value", "")) if isinstance(d, dict) else ""
    return answer


def _urlopen(request: urllib.request.Request, timeout: float, login: Login | None = None,
             director=None):
    try:
        return (director or opener(request.full_url, login)).open(request, timeout=timeout)
    except Redirected as exc:
        raise EndpointError(one_line(str(exc))) from None
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise EndpointError(f"{request.full_url} answered {exc.code} "
                                f"{one_line(str(exc.reason))}: "
                                f"{refused_login(exc.code, login)}"
                                f"{server_words(exc.read())}") from None
        raise


def _values_clause(terms: Mapping[str, NamedNode | Literal]) -> str:
    names = list(terms)
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(str(terms[n]) for n in names)  # N-Triples serialisation: escaped
    for n in names:
        if re.search(r"\\[uU]", str(terms[n])):  # one_reading would expand it
            raise QueryError(
                f"--param {n}: a value with a backslash followed by u (or a control "
                "character) cannot travel in the query text to an endpoint: SPARQL reads "
                "\\u there as an escape. Query a store given as DATASET instead.")
    return f"\nVALUES ({head}) {{ ({row}) }}\n"


def _bindings(url: str, data: bytes) -> list[dict]:
    """The bindings of a SPARQL JSON results document, or EndpointError saying what came
    instead (an HTML page, a document of another shape)."""
    try:
        doc = json.loads(data)
        rows = doc["results"]["bindings"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise TypeError
        return rows
    except (ValueError, KeyError, TypeError):
        raise EndpointError(f"{url} answered something that is not SPARQL JSON results "
                            f"(it begins {_begins(data)}); is it a SPARQL query "
                            "endpoint?") from None


def _check_answer(url: str, answer: Answer) -> None:
    """Read the whole answer once as what it should be: SPARQL JSON results, or
    N-Triples for a graph; EndpointError otherwise (never a traceback later)."""
    try:
        if answer.kind == "graph":
            for _ in parse(answer.data, format=RdfFormat.N_TRIPLES):
                pass
        else:
            parsed = results(answer)
            if not isinstance(parsed, QueryBoolean):
                names = [v.value for v in parsed.variables]
                for solution in parsed:
                    for name in names:
                        solution[name]
    except (SyntaxError, ValueError, KeyError, TypeError) as exc:
        what = "N-Triples" if answer.kind == "graph" else "SPARQL JSON results"
        raise EndpointError(f"{url} answered something that is not {what} (it begins "
                            f"{_begins(answer.data)}: {one_line(str(exc))}); is it a SPARQL query "
                            "endpoint?") from None


def _begins(data: bytes) -> str:
    return repr(data[:40].decode("utf-8", "replace"))


def _values(substitutions: Mapping) -> str:
    """``Store.query``'s substitutions (variable -> term) as :func:`_values_clause`."""
    return _values_clause({getattr(v, "value", str(v)): t for v, t in substitutions.items()})


__all__ = ["RemoteStore", "in_graph", "normalise", "query_form", "run_remote"]
