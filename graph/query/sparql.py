"""Researchers' own SPARQL, run safely: checked, parameterised, time-limited.

Every query goes through :func:`prepare` first. It parses the text with rdflib's
SPARQL grammar (a real parse: a keyword inside a comment or a string literal is
not a keyword) and refuses, before anything runs:

- ``SERVICE`` (pyoxigraph and the oxigraph server would call the URL over HTTP),
- ``FROM <…>`` and ``FROM NAMED <…>`` (a dataset the query picks for itself),
- every update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``,
  ``ADD``, ``MOVE``, ``COPY``): the stores are read-only for queries.

What is checked is what runs: the guard (rdflib) and the engine (oxigraph) read the
same text the same way. :func:`one_reading` expands the SPARQL codepoint escapes
(``\\uXXXX``, ``\\UXXXXXXXX``) once, as the grammar's pre-processing says, and the
expanded text is both checked and run (locally and on an endpoint): no backslash-u is
left in it for either parser to read its own way. It refuses characters the two read
differently (a carriage return not followed by a line feed ends a comment for oxigraph,
not for rdflib; other control characters; surrogates), and texts longer than
``MAX_QUERY_CHARS`` or nested deeper than ``MAX_NESTING`` brackets (the rdflib parse
takes time and stack in proportion, outside the timeout). After the parse, a second,
lexical look at the same text refuses a ``SERVICE``, ``FROM`` or update keyword outside
strings, IRIs and comments, whatever the parse made of it.

It predeclares the package prefixes (``graph.model.vocab.PREFIXES``) that the query does
not declare itself, and reports a syntax error with its line and column in the
text the user wrote.

Parameters (``--param name=value``, ``Dataset.query(text, name=value)``) are bound
as variables, never pasted into the text. The rule for a value:

- ``<http://…>`` is that IRI;
- ``"…"`` (in double quotes) is that string literal, even when it is an id;
- a value that is the id of an entity of the dataset (``lapin-liitto``; an
  ``dct:identifier`` in the data) is that entity's IRI;
- anything else is a plain string literal (``2008``, ``Lapin liitto``).

Locally the binding is pyoxigraph's ``substitutions`` (SEP-0007), so the variable
must appear in the SELECT clause (or the query be ``SELECT *``, ASK or CONSTRUCT).
The engine applies a substitution after evaluating the whole pattern (one actor's
responsibilities among 23 000: 1.25 s); when the variable is bound by a triple pattern
of the query's outermost group, every answer has it bound there, so the same values
are also given as a ``VALUES`` block at the start of that group (:func:`with_hint`),
which the engine joins first (1 ms), and the answers are the same.
Against a remote endpoint the values go in a trailing ``VALUES`` block, built from
serialised RDF terms (N-Triples escaping), and the whole text is checked again.

:func:`run_local` runs a prepared query on a built store in a separate process
(a fresh interpreter started with ``subprocess``) that opens the store read-only and is killed at
the deadline: a pyoxigraph query is one Rust call that no Python signal or timer
interrupts. :func:`graph.query.remote.run_remote` sends it to a SPARQL 1.1 endpoint over HTTP.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from ..base.text import one_line
from ..model.vocab import PREFIXES, literal_value

RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "xml": QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
}
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 86_400.0  # one day


def check_timeout(timeout: float, low: float = 0.1) -> float:
    """``timeout`` when it is a number of seconds from ``low`` to :data:`MAX_TIMEOUT`;
    QueryError (exit 2) for inf, nan, 1e308 and the like."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout)
            and low <= timeout <= MAX_TIMEOUT):
        raise QueryError(f"--timeout {timeout}: give a number of seconds from {low:g} to "
                         f"{MAX_TIMEOUT:g} (one day)")
    return float(timeout)


def check_endpoint(url: str, option: str = "--endpoint") -> str:
    """``url`` when it is an http:// or https:// URL with a host and no login in it;
    QueryError (exit 2) otherwise (file:///etc/passwd, ftp://…: urllib would read those
    too; a bad port; ``http://user:password@host``, whose password would be printed).

    >>> check_endpoint("http://u:pw@127.0.0.1/q")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.query.sparql.QueryError: --endpoint: give the login with --user NAME ...
    """
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - read for its check: a port that is no number raises
    except ValueError as exc:
        raise QueryError(f"{option} {one_line(url)}: not a URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise QueryError(f"{option} {one_line(url)}: only http:// and https:// endpoints are "
                         "accepted (like http://127.0.0.1:7878/query)")
    if parts.username is not None or parts.password is not None:
        # a password in a URL is printed in messages and seen by others in `ps`
        raise QueryError(f"{option}: give the login with --user NAME (password in "
                         "REGIOGRAPH_PASSWORD) or a netrc file, not in the URL")
    return url


_UPDATES = {
    "Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE", "Add": "ADD",
    "Move": "MOVE", "Copy": "COPY", "InsertData": "INSERT DATA", "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE", "Modify": "DELETE/INSERT",
}
_FORMS = {"SelectQuery": "select", "ConstructQuery": "construct",
          "DescribeQuery": "describe", "AskQuery": "ask"}


class QueryError(Exception):
    """A query that cannot run; ``str()`` says what is wrong and what would fix it."""

    exit_code = 2


class Refused(QueryError):
    """The query asks for something regiograph never runs (network, dataset, update)."""


class QuerySyntaxError(QueryError):
    """The text is not SPARQL; ``line`` and ``column`` count from 1 in the user's text."""

    def __init__(self, message: str, line: int, column: int, text: str = ""):
        self.line, self.column = line, column
        where = f"syntax error at line {line}, column {column}: {message}"
        lines = text.splitlines()
        if 0 < line <= len(lines):
            where += f"\n  {lines[line - 1]}\n  {' ' * max(column - 1, 0)}^"
        super().__init__(where)


class QueryTimeout(QueryError):
    """The query ran past its deadline and was stopped."""

    exit_code = 5


class EngineError(QueryError):
    """The engine failed while running a checked query (an evaluation error)."""


class WorkerFailed(EngineError):
    """The query worker ended without an answer: killed at its memory limit, or the
    engine crashed (a panic, a stack overflow, an abort)."""


class EndpointError(QueryError):
    """A remote endpoint could not be reached or answered with an error."""

    exit_code = 6


@dataclass(frozen=True)
class Prepared:
    """A checked query: the text to run (prologue + user text) and what it is.

    ``form`` is select, construct, describe or ask; ``offset`` the number of
    prologue lines put before the user's text; ``variables`` every variable named.
    """

    text: str
    form: str
    offset: int
    variables: frozenset[str] = field(default_factory=frozenset)
    trailing_values: bool = False
    user_text: str = ""
    #: the variables bound by a triple pattern of the outermost group (SELECT, ASK and
    #: DESCRIBE) and where in ``text`` that group's ``{`` ends (-1: no such group)
    anchored: frozenset[str] = field(default_factory=frozenset)
    group_at: int = -1
    #: the columns that are a GROUP_CONCAT, each with its separator (see
    #: :func:`sorted_lists`)
    concatenated: tuple[tuple[str, str], ...] = ()
    #: the variables named in the WHERE clause (the others are only selected)
    in_pattern: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_graph(self) -> bool:
        return self.form in ("construct", "describe")

    def to_state(self) -> dict:
        """As plain data (JSON), for :meth:`from_state`: what ``build`` keeps of the
        package's named queries, so that ``query --name`` on a built store need not parse
        them again (rdflib: ~0.15 s of a 0.4 s command)."""
        return {"text": self.text, "form": self.form, "offset": self.offset,
                "variables": sorted(self.variables), "trailing_values": self.trailing_values,
                "user_text": self.user_text, "anchored": sorted(self.anchored),
                "group_at": self.group_at, "concatenated": [list(c) for c in self.concatenated],
                "in_pattern": sorted(self.in_pattern)}

    @classmethod
    def from_state(cls, state: dict) -> Prepared:
        """The Prepared that :meth:`to_state` gave.

        >>> p = prepare("SELECT ?a WHERE { ?a rg:p ?b }")
        >>> Prepared.from_state(json.loads(json.dumps(p.to_state()))) == p
        True
        """
        return cls(state["text"], state["form"], state["offset"],
                   frozenset(state["variables"]), state["trailing_values"],
                   state["user_text"], frozenset(state["anchored"]), state["group_at"],
                   tuple(tuple(c) for c in state["concatenated"]),
                   frozenset(state["in_pattern"]))


# -- checking ---------------------------------------------------------------------


def prepare(text: str) -> Prepared:
    """Check ``text`` and put the missing package prefixes before it.

    The text checked and run is :func:`one_reading` of ``text`` (escapes expanded).
    Raises :class:`Refused` or :class:`QuerySyntaxError`. Cost: one rdflib parse
    (milliseconds for a page of SPARQL; a few seconds at :data:`MAX_QUERY_CHARS`).

    >>> prepare("SELECT ?p WHERE { ?p a rg:Project }").form
    'select'
    """
    text = one_reading(text)
    tree = _parse(text)
    query = tree[1]
    _refuse_forbidden(query)
    _refuse_forbidden_words(text)
    declared = {str(dict.get(d, "prefix", "")) for d in tree[0] if d.name == "PrefixDecl"}
    _refuse_unknown_prefixes(query, declared)
    missing = [p for p in PREFIXES if p not in declared]
    prologue = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing)
    full = prologue + text
    anchored, group_at = _anchored(query), -1
    if anchored and query.name != "ConstructQuery":
        group_at = outer_group(full)
    return Prepared(
        full, _FORMS[query.name], len(missing), frozenset(_variables(query)),
        dict.get(query, "valuesClause") is not None, text,
        anchored if group_at >= 0 else frozenset(), group_at, _concatenated(query),
        frozenset(_variables(dict.get(query, "where"))),
    )


def prepare_as_kept(text: str, kept: dict | None) -> Prepared:
    """:func:`prepare` of ``text``, or what it gave for the same text when ``build`` kept
    it (``kept``: a :meth:`Prepared.to_state` under a key of this code and rdflib's
    version): the same text, read the same way, checked once."""
    if kept is not None and kept.get("user_text") == one_reading(text):
        return Prepared.from_state(kept)
    return prepare(text)


def _anchored(query) -> frozenset[str]:
    """The variables of the triple patterns written directly in the outermost group of
    the WHERE clause, or in a ``GRAPH <iri> { … }`` of triple patterns there (not in
    OPTIONAL, UNION, MINUS, FILTER, a subquery or a GRAPH of a variable).

    >>> sorted(prepare("SELECT * { GRAPH <http://g> { ?a rg:p ?b } OPTIONAL { ?b rg:q ?c } }"
    ...                ).anchored)
    ['a', 'b']
    """
    from rdflib.term import URIRef as RdflibURIRef
    from rdflib.term import Variable as RdflibVariable

    where = dict.get(query, "where")
    if getattr(where, "name", None) != "GroupGraphPatternSub":
        return frozenset()
    found = set()
    for part in dict.get(where, "part") or ():
        name = getattr(part, "name", None)
        if name == "GraphGraphPattern":  # GRAPH <iri> { triples only }: required, joined
            inner = dict.get(part, "graph")
            parts = dict.get(inner, "part") or () if inner is not None else ()
            if isinstance(dict.get(part, "term"), RdflibURIRef) and parts and all(
                    getattr(p, "name", None) == "TriplesBlock" for p in parts):
                name, part = "TriplesBlock", inner
        if name == "TriplesBlock":
            found |= {str(n) for n in _walk(part) if isinstance(n, RdflibVariable)}
    return frozenset(found)


def outer_group(text: str) -> int:
    """Where the outermost group's ``{`` of a SELECT, ASK or DESCRIBE query ends in
    ``text`` (the first ``{`` outside comments, strings, IRIs and parentheses), or -1."""
    depth = 0
    for start, piece, opaque in code_parts(text):
        if opaque:
            continue
        for i, ch in enumerate(piece):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "{" and depth == 0:
                return start + i + 1
    return -1


def with_hint(prepared: Prepared, terms: Mapping[str, object]) -> str:
    """``prepared``'s text with the bound values of its anchored variables (see
    :class:`Prepared`) also given as a ``VALUES`` block at the start of its outermost
    group, on the same line (error positions do not move). The answers are those of the
    substitution alone; the engine finds them without evaluating the whole pattern.
    A value whose text holds a backslash is left to the substitution (SPARQL reads
    ``\\u`` in a query's text as an escape).

    >>> p = prepare("SELECT ?a WHERE { ?r rg:actor ?a OPTIONAL { ?r rg:role ?x } }")
    >>> with_hint(p, {"a": NamedNode("https://e.org/x")}).splitlines()[-1][:53]
    'SELECT ?a WHERE { VALUES (?a) { (<https://e.org/x>) }'
    >>> with_hint(p, {"x": NamedNode("https://e.org/x")}) == p.text  # only in OPTIONAL
    True
    """
    names = [n for n, t in terms.items() if n in prepared.anchored
             and isinstance(t, (NamedNode, Literal)) and "\\" not in str(t)]
    if not names or prepared.group_at < 0:
        return prepared.text
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(str(terms[n]) for n in names)  # N-Triples serialisation: escaped
    at = prepared.group_at
    return f"{prepared.text[:at]} VALUES ({head}) {{ ({row}) }}{prepared.text[at:]}"


MAX_QUERY_CHARS = 16_000
"""Longest query text accepted (characters, after escapes): the rdflib parse that checks
it takes up to ~3 s at this size, outside ``--timeout``. The named queries are < 5 000."""
MAX_NESTING = 24
"""Deepest nesting of ``{ ( [`` accepted: rdflib's parser recurses per level (Python's
stack ends near 28 parentheses) and so does oxigraph's."""

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# read differently by the two parsers, or no character at all: a lone CR ends a
# comment for oxigraph, not for rdflib; C0/C1 controls, line/paragraph separators,
# surrogates and non-characters have no business in a query
_BAD_CHAR = re.compile(
    "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_BAD_NAMES = {"\r": "a carriage return not followed by a line feed (save the file with "
              "LF or CRLF line ends)"}


def one_reading(text: str) -> str:
    r"""The text that is both checked and run: ``text`` with its codepoint escapes
    expanded once (SPARQL 1.1, 19.2: ``\u`` + 4 hex digits, ``\U`` + 8, anywhere in
    the text, before parsing).

    Refused (:class:`Refused`): a character the guard and the engine would read
    differently or that is no character (a lone carriage return, other control
    characters, surrogates), written or produced by an escape; a backslash followed by
    ``u`` or ``U`` left after the expansion (each parser would expand it its own way:
    rdflib takes ``\u`` + 8 digits, oxigraph ``\u+041``; write the character itself);
    a text longer than :data:`MAX_QUERY_CHARS` or nested deeper than :data:`MAX_NESTING`.

    >>> one_reading('SELECT ("caf\\u00E9" AS ?x) {}')
    'SELECT ("café" AS ?x) {}'
    """
    if len(text) > 4 * MAX_QUERY_CHARS:  # before any work on it
        raise Refused(_too_long(len(text)))
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write first

    def expand(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF:
            raise Refused(f"{m.group(0)} at character {m.start() + 1} is no Unicode "
                          "character (the largest is \\U0010FFFF)")
        return chr(code)

    _refuse_bad_chars(text, "")
    expanded = _ESCAPE.sub(expand, text)
    if expanded != text:
        _refuse_bad_chars(expanded, " (from a \\u escape)")
    left = re.search(r"\\[uU]", expanded)
    if left:
        line = expanded.count("\n", 0, left.start()) + 1
        raise Refused(
            f"line {line}: a backslash followed by {left.group(0)[1]} is left after the "
            "\\u escapes are expanded; it is refused because SPARQL parsers read it in "
            "different ways. Write the character itself (or build the text with CONCAT).")
    _refuse_deep(expanded)
    if len(expanded) > MAX_QUERY_CHARS:
        raise Refused(_too_long(len(expanded)))
    return expanded


def _too_long(n: int) -> str:
    return (f"the query is {n} characters long; at most {MAX_QUERY_CHARS} are accepted. "
            "Split it, or bind long lists with --param or a smaller VALUES block.")


def _refuse_bad_chars(text: str, origin: str) -> None:
    m = _BAD_CHAR.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        what = _BAD_NAMES.get(m.group(0), f"the character U+{ord(m.group(0)):04X}")
        raise Refused(f"line {line}: {what}{origin} is refused: SPARQL parsers read it in "
                      "different ways, so the check could not vouch for what runs.")


# what is opaque to the bracket count and to the keyword look: comments, strings, IRIs
_ECHAR = r"""\\[tbnrf"'\\]"""
_OPAQUE = re.compile(
    r"#[^\r\n]*"
    rf"|'''(?:'{{0,2}}(?:[^'\\]|{_ECHAR}))*'''"
    rf'|"""(?:"{{0,2}}(?:[^"\\]|{_ECHAR}))*"""'
    rf"|'(?:[^'\\\n\r]|{_ECHAR})*'"
    rf'|"(?:[^"\\\n\r]|{_ECHAR})*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>')


def code_parts(text: str) -> Iterator[tuple[int, str, bool]]:
    """(start, piece, opaque) over ``text``: comments, strings and IRIs are opaque."""
    pos = 0
    for m in _OPAQUE.finditer(text):
        if m.start() > pos:
            yield pos, text[pos:m.start()], False
        yield m.start(), m.group(0), True
        pos = m.end()
    if pos < len(text):
        yield pos, text[pos:], False


def _refuse_deep(text: str) -> None:
    depth = 0
    for start, piece, opaque in code_parts(text):
        if opaque:
            continue
        for i, ch in enumerate(piece):
            if ch in "{([":
                depth += 1
                if depth > MAX_NESTING:
                    line = text.count("\n", 0, start + i) + 1
                    raise Refused(
                        f"line {line}: the query is nested too deeply (more than "
                        f"{MAX_NESTING} levels of {{ ( [ ); flatten it.")
            elif ch in "})]":
                depth -= 1


_KEYWORDS = ("SERVICE", "FROM", "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE",
             "ADD", "MOVE", "COPY", "WITH", "USING")
_NAME = "A-Za-z0-9_\u00b7\u00c0-\U000effff"
_ALT = "|".join(_KEYWORDS)
# a keyword may be glued to what follows (oxigraph reads SERVICE:x as SERVICE :x, and
# 1SERVICE as 1 SERVICE), so only what goes before decides
_WORD = re.compile(rf"(?<![A-Za-z_\u00b7\u00c0-\U000effff])(?i:({_ALT}))")
# inside what was read as an IRI (it may be a < operator): a keyword going on with a
# variable or a comment
_WORD_IN_IRI = re.compile(rf"(?<![{_NAME}])(?i:({_ALT}))(?=[?$#])")
_BEFORE = re.compile(rf"[{_NAME}.:\\-]*$")


def _is_keyword(piece: str, m: re.Match) -> bool:
    """Not a keyword: part of a variable (?x1from), a language tag (@en-from), a
    prefixed name or blank node label (ex:a-from, _:from) or a prefix (from-x:)."""
    before = _BEFORE.search(piece, 0, m.start()).group(0)
    at = m.start() - len(before)
    prev = piece[at - 1] if at > 0 else ""
    if prev in ("?", "$") and re.fullmatch(rf"[{_NAME}]*", before):
        return False
    if prev == "@" and re.fullmatch(r"[A-Za-z0-9-]*", before):
        return False
    if ":" in before:
        return False
    return not re.match(rf"[{_NAME}.-]+:", piece[m.end():])


def _refuse_forbidden_words(text: str) -> None:
    """The second look: a refused keyword anywhere outside comments, strings and IRIs."""
    for _, piece, opaque in code_parts(text):
        if piece.startswith("<"):
            m = _WORD_IN_IRI.search(piece)
        else:
            m = None if opaque else next(
                (w for w in _WORD.finditer(piece) if _is_keyword(piece, w)), None)
        if m:
            raise Refused(
                f"{m.group(1).upper()} is refused: queries here never reach the network, "
                "pick no dataset of their own and never write (SERVICE, FROM and updates "
                "are refused wherever they stand).")


def _parse(text: str):
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        return parseQuery(text)
    except ParseException as exc:
        error = exc
    try:
        update = parseUpdate(text)
    except ParseException:
        update = None
    if update is not None and update.get("request"):
        names = sorted({_UPDATES.get(op.name, op.name) for op in update["request"]})
        raise Refused(
            f"updates are refused ({', '.join(names)}): queries here only read. "
            "Write a SELECT, CONSTRUCT, DESCRIBE or ASK query."
        )
    message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)$", "", str(error))
    raise QuerySyntaxError(message, error.lineno, error.col, text) from None


def _walk(node) -> Iterator:
    """Every node of an rdflib parse tree (CompValue dicts, lists, ParseResults)."""
    yield node
    # ParseResults also registers as a Mapping, but holds its items as a list
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _walk(value)


def _refuse_forbidden(query) -> None:
    for node in _walk(query):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise Refused(
                f"SERVICE {_show(dict.get(node, 'term'))} is refused: queries here never reach the "
                "network. Query the dataset itself, or push it to a store that has both."
            )
        if name == "DatasetClause":
            which = "FROM NAMED" if "named" in node else "FROM"
            iri = _show(dict.get(node, "named", dict.get(node, "default")))
            raise Refused(
                f"{which} {iri} is refused: the query runs on the dataset given on the "
                "command line. Remove the clause (use GRAPH <…> { … } for a named graph "
                "of the store)."
            )


def _refuse_unknown_prefixes(query, declared: set[str]) -> None:
    for node in _walk(query):
        if getattr(node, "name", None) == "pname":
            prefix = str(dict.get(node, "prefix", ""))
            if prefix not in declared and prefix not in PREFIXES:
                raise QueryError(
                    f"unknown prefix {prefix}: in {_show(node)}; declare it with "
                    f"PREFIX {prefix}: <…>. Predeclared: {', '.join(PREFIXES)}."
                )


def _show(term) -> str:
    """An IRI or prefixed name of the parse tree as written."""
    if type(term).__name__ == "Variable":
        return f"?{term}"
    if getattr(term, "name", None) == "pname":
        return f"{dict.get(term, 'prefix', '')}:{dict.get(term, 'localname', '')}"
    return f"<{term}>"


def _concatenated(query) -> tuple[tuple[str, str], ...]:
    """(column, separator) of each column that is a GROUP_CONCAT and nothing else, in the
    outermost SELECT or a subquery's (whose column the outer SELECT may pass on)."""
    found = []
    selects = [node for node in _walk(query) if hasattr(node, "get")
               and node.get("projection") is not None]
    for item in (item for select in selects for item in select.get("projection")):
        expr = item.get("expr") if hasattr(item, "get") else None
        # the grammar wraps a bare call in one-child expressions (OrExpression → …)
        while expr is not None and getattr(expr, "name", "") != "Aggregate_GroupConcat" \
                and hasattr(expr, "keys") and list(expr.keys()) == ["expr"]:
            expr = expr["expr"]
        if getattr(expr, "name", "") == "Aggregate_GroupConcat":
            # a CompValue answers .get of a missing key with the key's name
            separator = str(expr["separator"]) if "separator" in expr else " "
            found.append((str(item["evar"]), separator))
    return tuple(dict.fromkeys(found))


def sorted_lists(answer: Answer, prepared: Prepared) -> Answer:
    """``answer`` of a *named query* (a package file) with the items of each GROUP_CONCAT
    column (:attr:`Prepared.concatenated`) in sorted order (:func:`sorted_items`; an
    empty one unbound). SPARQL 1.1 leaves the order of a GROUP_CONCAT to the store
    (18.5.1.7), and stores differ (the embedded one and Virtuoso join the same members in
    different orders; Virtuoso gives "" where the embedded store leaves an empty one
    unbound); sorted, every store gives one answer. The named queries are written for
    it: their lists are of ids or of names joined by a separator they do not hold, and
    none orders or DISTINCTs by a list. A query of one's own is answered as the store
    answers it. Cost: one parse and dump of the JSON results when the query has such a
    column, else none.

    >>> p = prepare('SELECT ?a (GROUP_CONCAT(?b; separator=", ") AS ?l) { ?a ?x ?b } GROUP BY ?a')
    >>> p.concatenated
    (('l', ', '),)
    >>> doc = {"head": {"vars": ["a", "l"]}, "results": {"bindings": [
    ...     {"l": {"type": "literal", "value": "tornio, kemi"}}]}}
    >>> answer = sorted_lists(Answer("results", json.dumps(doc).encode()), p)
    >>> json.loads(answer.data)["results"]["bindings"][0]["l"]["value"]
    'kemi, tornio'
    """
    if not prepared.concatenated or answer.kind != "results":
        return answer
    doc = json.loads(answer.data)
    rows = doc.get("results", {}).get("bindings") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        return answer
    for row in rows:
        for column, separator in prepared.concatenated:
            cell = row.get(column)
            if isinstance(cell, dict) and isinstance(cell.get("value"), str):
                value = sorted_items(cell["value"], separator)
                if value is None:
                    del row[column]
                else:
                    cell["value"] = value
    return Answer(answer.kind, json.dumps(doc, ensure_ascii=False).encode("utf-8"),
                  answer.base)


def sorted_items(value: str, separator: str) -> str | None:
    """A GROUP_CONCAT's ``value`` with its items sorted, and None for an empty one (the
    embedded store leaves a concatenation of nothing unbound, Virtuoso gives "").

    >>> sorted_items("tornio kemi", " "), sorted_items("", " ")
    ('kemi tornio', None)
    """
    if not value:
        return None
    return separator.join(sorted(value.split(separator))) if separator else value


def _variables(query) -> set[str]:
    from rdflib.term import Variable as RdflibVariable

    return {str(n) for n in _walk(query) if isinstance(n, RdflibVariable)}


# -- parameters -------------------------------------------------------------------


def parse_params(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["actor=lapin-liitto"]`` -> ``{"actor": "lapin-liitto"}``; QueryError when malformed."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise QueryError(f"--param {pair!r}: write it as name=value (like actor=lapin-liitto)")
        params[name] = value
    return params


def check_params(prepared: Prepared, params: Mapping[str, object]) -> None:
    """Refuse a parameter that names no variable of the query."""
    for name in params:
        try:
            Variable(name)
        except ValueError:
            raise QueryError(f"--param {name}: not a SPARQL variable name") from None
        if name not in prepared.variables:
            known = ", ".join(sorted(prepared.variables)) or "none"
            raise QueryError(f"--param {name}: the query has no variable ?{name} "
                             f"(its variables: {known})")


def bind(params: Mapping[str, object], lookup: Callable[[str], NamedNode | None]):
    """Turn parameter values into RDF terms by the rule of this module's docstring.

    ``lookup(id)`` returns the IRI of the entity with that id, or None. Values that
    already are pyoxigraph terms are kept as they are.
    """
    terms: dict[str, NamedNode | Literal] = {}
    for name, value in params.items():
        if isinstance(value, (NamedNode, Literal)):
            terms[name] = value
            continue
        text = str(value)
        if text.startswith("<") and text.endswith(">"):
            try:
                terms[name] = NamedNode(text[1:-1])
            except ValueError as exc:
                raise QueryError(f"--param {name}: {text} is not an IRI ({exc})") from None
            continue
        if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
            terms[name] = Literal(text[1:-1])
            continue
        terms[name] = lookup(text) or Literal(text)
    return terms


BASE_QUERY = "SELECT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> } LIMIT 2"
_ID_QUERY = "SELECT ?x ?id WHERE { ?x <http://purl.org/dc/terms/identifier> ?id } LIMIT 2"


def store_lookup(store: Store) -> Callable[[str], NamedNode | None]:
    """An id -> entity IRI function over ``store`` (None when absent or ambiguous)."""

    def lookup(ident: str) -> NamedNode | None:
        rows = list(store.query(_ID_QUERY, substitutions={Variable("id"): Literal(ident)}))
        return rows[0]["x"] if len(rows) == 1 and isinstance(rows[0]["x"], NamedNode) else None

    return lookup


# -- running in this process (Python API) ---------------------------------------


def query_store(store: Store, prepared: Prepared, terms: Mapping[str, object]):
    """Run ``prepared`` on ``store`` in this process (no timeout): pyoxigraph's result."""
    subs = {Variable(k): v for k, v in terms.items()}
    try:
        return store.query(with_hint(prepared, terms), substitutions=subs or None)
    except SyntaxError as exc:
        raise _oxigraph_syntax(str(exc), prepared) from None
    except RuntimeError as exc:
        raise _runtime(str(exc)) from None


def _oxigraph_syntax(message: str, prepared: Prepared) -> QueryError:
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not m:
        return QueryError(f"the query was refused by the engine: {message}")
    line, col = int(m.group(1)) - prepared.offset, int(m.group(2))
    return QuerySyntaxError(m.group(3), max(line, 1), col, prepared.user_text)


def _runtime(message: str) -> QueryError:
    m = re.search(r"variable \?(\w+) in its SELECT projection", message)
    if m:
        return QueryError(f"--param {m.group(1)}: the query must select ?{m.group(1)} to bind "
                          "it (parameters are substituted into the SELECT clause's variables)")
    return EngineError(f"the query failed: {message}")


def python_value(term):
    """A result term as a Python value: an IRI as its string, a number as int/float,
    a boolean as bool, any other literal as its lexical form, unbound as None."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#boolean":
            return term.value in ("true", "1")
        return literal_value(term)
    return term.value


class Rows(list):
    """SELECT results as a list of dicts (column -> Python value), with ``columns``."""

    def __init__(self, rows, columns: list[str]):
        super().__init__(rows)
        self.columns = columns

    def to_frame(self):
        """A pandas DataFrame of the rows (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame(list(self), columns=self.columns)


def query_rows(store: Store, text: str, params: Mapping[str, object]):
    """Check, bind and run ``text`` on ``store`` in this process (no timeout).

    SELECT gives :class:`Rows`, ASK a bool, CONSTRUCT/DESCRIBE a list of pyoxigraph
    Triples. Cost: one rdflib parse plus the query itself.
    """
    prepared = prepare(text)
    check_params(prepared, params)
    result = query_store(store, prepared, bind(params, store_lookup(store)))
    if isinstance(result, QueryBoolean):
        return bool(result)
    if isinstance(result, QuerySolutions) or hasattr(result, "variables"):  # or remote rows
        columns = [v.value for v in result.variables]
        return Rows(({c: python_value(s[c]) for c in columns} for s in result), columns)
    return list(result)


# -- running on a built store, in a worker that can be killed ---------------------


@dataclass
class Answer:
    """What a query gave: ``kind`` is "results" (SPARQL JSON results: SELECT, ASK)
    or "graph" (N-Triples: CONSTRUCT, DESCRIBE); ``data`` the bytes."""

    kind: str
    data: bytes
    base: str = ""  # the dataset's base IRI: tables show entities by id


def _term_tuple(term) -> tuple:
    if isinstance(term, NamedNode):
        return ("iri", term.value)
    return ("literal", term.value, term.language, term.datatype.value)


def _term_from(t: tuple):
    if t[0] == "iri":  # a tuple, or the list JSON makes of it
        return NamedNode(t[1])
    if t[2]:
        return Literal(t[1], language=t[2])
    return Literal(t[1], datatype=NamedNode(t[3]))


def worker_main() -> None:
    """The child process: read the request (JSON) on stdin, answer on stdout.

    The answer is one JSON header line (``{"kind": …, "message": …}``) followed by
    the result bytes. The store is opened read-only.
    """
    import sys

    from ..base.process import die_with_parent

    # first of all: a parent killed from now on (or already) takes this worker with it
    parent = os.environ.get("REGIOGRAPH_PARENT")
    die_with_parent(parent=int(parent) if parent and parent.isdigit() else None)
    from ..store.store import open_store

    # the store and the limits come first (the argument): the store is opened while the
    # parent still checks the query, which comes on stdin
    ahead = json.loads(sys.argv[1])
    _bound_own_life(ahead.get("timeout"), ahead.get("memory"))
    out = sys.stdout.buffer
    try:
        store, failed = open_store(ahead["store"]), None
    except Exception as exc:  # noqa: BLE001 - told to the parent once it asks
        store, failed = None, exc
    request = json.loads(sys.stdin.buffer.read())
    try:
        if failed is not None:
            raise failed
        params = {k: _term_from(v) if isinstance(v, list) else v
                  for k, v in request["params"].items()}
        terms = bind(params, store_lookup(store))
        subs = {Variable(k): v for k, v in terms.items()}
        text = request["text"]
        if request.get("group_at", -1) >= 0:
            text = with_hint(Prepared(text, "", 0, anchored=frozenset(request["anchored"]),
                                      group_at=request["group_at"]), terms)
        result = store.query(text, substitutions=subs or None)
        fmt = request.get("format")
        if isinstance(result, (QuerySolutions, QueryBoolean)):
            kind, data = "results", result.serialize(
                format=RESULT_FORMATS[fmt] if fmt in RESULT_FORMATS else QueryResultsFormat.JSON)
        elif fmt in GRAPH_FORMATS:
            kind = "graph"
            kwargs = {"prefixes": dict(PREFIXES)} if fmt == "turtle" else {}
            data = serialize(result, format=GRAPH_FORMATS[fmt], **kwargs)
        else:
            kind, data = "graph", serialize(result, format=RdfFormat.N_TRIPLES)
        base = [r["d"].value for r in store.query(BASE_QUERY)]
        header = {"kind": kind, "base": base[0] if len(base) == 1 else ""}
        out.write(json.dumps(header).encode() + b"\n" + data)
    except SyntaxError as exc:
        out.write(json.dumps({"kind": "syntax", "message": str(exc)}).encode() + b"\n")
    except QueryError as exc:
        out.write(json.dumps({"kind": "error", "message": str(exc)}).encode() + b"\n")
    except Exception as exc:  # noqa: BLE001 - everything goes back to the parent as text
        message = f"{type(exc).__name__}: {exc}"
        out.write(json.dumps({"kind": "runtime", "message": message}).encode() + b"\n")
    out.flush()


def _bound_own_life(timeout: float | None, memory: int | None = None) -> None:
    """Never outlive the parent, nor run past the deadline on one's own, nor use more
    than ``memory`` bytes of address space.

    The parent kills the worker at the deadline; these guard the cases where the
    parent itself is killed first: the kernel sends SIGKILL when the parent dies
    (Linux), and a CPU-time limit ends a query that nobody waits for any more.
    The memory limit (RLIMIT_AS, set before the store is opened) makes an allocation
    past it fail: the engine aborts, and the parent reports :class:`WorkerFailed`.
    """
    import resource

    if timeout:
        seconds = int(timeout) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))


def run_local(store_path: str | os.PathLike, prepared: Prepared,
              params: Mapping[str, object] | None = None,
              timeout: float = DEFAULT_TIMEOUT, *, memory: int | None = None,
              result_format: str | None = None,
              track: Callable[[subprocess.Popen, bool], None] | None = None) -> Answer:
    """Run ``prepared`` on the built store at ``store_path`` within ``timeout`` seconds.

    A fresh interpreter (a subprocess, :class:`Worker`) opens the store read-only
    and runs the query; at the deadline it is killed and :class:`QueryTimeout`
    raised. A subprocess rather than multiprocessing: it never re-imports the
    caller's main module, so scripts and notebooks need no ``__main__`` guard.

    ``memory`` (bytes) limits the worker's address space (RLIMIT_AS): past it the
    engine aborts and :class:`WorkerFailed` is raised, as for any crash of the worker.
    ``result_format`` (json/xml/csv/tsv for results, ntriples/turtle/jsonld for
    graphs) has the worker serialise the answer in that format (default: JSON results,
    N-Triples graphs). ``track(proc, True)`` is called when the worker starts and
    ``track(proc, False)`` once it is gone (the endpoint kills the live ones when it
    stops).

    >>> run_local("out/lapland.store", prepare("ASK { ?s ?p ?o }")).data  # doctest: +SKIP
    b'{"head":{},"boolean":true}'
    """
    with Worker(store_path, timeout, memory=memory, track=track) as worker:
        return worker.run(prepared, params, result_format)


def _stop_process(proc: subprocess.Popen) -> None:
    """Kill ``proc`` if it still runs, wait for it, and close its pipes."""
    if proc.poll() is None:
        proc.kill()
        proc.communicate()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):  # one that ended on its own
        if pipe is not None and not pipe.closed:
            pipe.close()


class Worker:
    """A query worker started ahead of its query: a fresh interpreter that imports the
    engine, sets its limits and opens the store read-only while the caller still checks
    the query (:func:`prepare`, ~0.15 s; the two overlap on two cores). Its query goes
    to :meth:`run`, once; leaving the ``with`` block stops a worker that was never
    asked or is still running, so none outlives its command.

    >>> with Worker("out/lapland.store", 30) as worker:   # doctest: +SKIP
    ...     answer = worker.run(prepare("ASK { ?s ?p ?o }"))
    """

    def __init__(self, store_path: str | os.PathLike, timeout: float = DEFAULT_TIMEOUT, *,
                 memory: int | None = None,
                 track: Callable[[subprocess.Popen, bool], None] | None = None):
        self.timeout, self.memory, self._track = check_timeout(timeout), memory, track
        ahead = json.dumps({"store": os.fspath(Path(store_path).resolve()),
                            "timeout": self.timeout, "memory": memory})
        env = dict(os.environ)
        root = os.fspath(Path(__file__).resolve().parents[2])  # where `graph` is importable
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env["REGIOGRAPH_PARENT"] = str(os.getpid())  # the worker ends when this process does
        if memory:  # glibc reserves 64 MiB of address space per thread arena otherwise
            env["MALLOC_ARENA_MAX"] = "2"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from graph.query.sparql import worker_main; worker_main()",
             ahead],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        # a Worker dropped without close() (or a failing track) still stops its process
        self._stop = weakref.finalize(self, _stop_process, self.proc)
        if track:
            try:
                track(self.proc, True)
            except BaseException:
                self._track = None
                self.close()
                raise

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker if it still runs, and wait for it."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        self._stop.detach()
        _stop_process(proc)
        if self._track:
            self._track(proc, False)

    def run(self, prepared: Prepared, params: Mapping[str, object] | None = None,
            result_format: str | None = None) -> Answer:
        """Send ``prepared`` (with ``params``, see :func:`bind`) and read the answer within
        the worker's timeout, counted from here (see :func:`run_local`)."""
        if self.proc is None:
            raise RuntimeError("a worker answers one query")
        request = json.dumps({
            "text": prepared.text,
            "anchored": sorted(prepared.anchored),
            "group_at": prepared.group_at,
            "params": {k: _term_tuple(v) if isinstance(v, (NamedNode, Literal)) else str(v)
                       for k, v in (params or {}).items()},
            "format": result_format,
        }).encode("utf-8")
        proc, timeout, memory = self.proc, self.timeout, self.memory
        try:
            out, err = proc.communicate(request, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise QueryTimeout(
                f"the query was stopped after {timeout:g} s (--timeout). Make it more "
                "selective (start from a bound entity, add LIMIT) or give it more time."
            ) from None
        finally:  # at the deadline, and when this process is being stopped itself
            self.close()
        header, _, data = out.partition(b"\n")
        try:
            head = json.loads(header)
        except ValueError:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            detail = next((line for line in lines if "memory allocation" in line),
                          lines[-1] if lines else "")
            hint = ""
            if memory and (proc.returncode in (-6, -9) or "memory" in detail):
                hint = f" (its memory limit is {memory / 2**20:.0f} MiB)"
            raise WorkerFailed(f"the query worker ended without an answer (exit code "
                               f"{proc.returncode}){hint} {detail}".rstrip()) from None
        kind = head["kind"]
        if kind == "syntax":
            raise _oxigraph_syntax(head["message"], prepared)
        if kind == "error":
            raise QueryError(head["message"])
        if kind == "runtime":
            raise _runtime(head["message"])
        return Answer(kind, data, head.get("base", ""))


# -- running on a remote endpoint -------------------------------------------------


# -- rendering --------------------------------------------------------------------


def compact(term, base: str = "") -> str:
    """A term for people: an entity by its id (its IRI less ``base``), another IRI as
    prefix:name when a package prefix fits, a literal by its value."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        if base and term.value.startswith(base) and len(term.value) > len(base):
            return term.value[len(base):]
        for prefix, ns in PREFIXES.items():
            rest = term.value[len(ns):]
            if term.value.startswith(ns) and re.fullmatch(r"[\w.-]*", rest):
                return f"{prefix}:{rest}"
        return term.value
    return str(getattr(term, "value", term))


def results(answer: Answer):
    """The pyoxigraph QuerySolutions / QueryBoolean of a "results" answer."""
    return parse_query_results(answer.data, format=QueryResultsFormat.JSON)


def table_rows(answer: Answer, limit: int | None) -> tuple[list[str], list[dict], int]:
    """(columns, up to ``limit`` rows of display strings, total number of rows)."""
    parsed = results(answer)
    if isinstance(parsed, QueryBoolean):
        return ["answer"], [{"answer": str(bool(parsed)).lower()}], 1
    columns = [v.value for v in parsed.variables]
    rows, total = [], 0
    for solution in parsed:
        total += 1
        if limit is None or len(rows) < limit:
            rows.append({c: compact(solution[c], answer.base) for c in columns})
    return columns, rows, total


def render(answer: Answer, fmt: str) -> bytes:
    """The answer in a SPARQL results format (json/csv/tsv/xml) or an RDF format."""
    if answer.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"a CONSTRUCT or DESCRIBE query gives a graph: use --format "
                             f"{'|'.join(GRAPH_FORMATS)} (not {fmt})")
        triples = parse(answer.data, format=RdfFormat.N_TRIPLES)
        kwargs = {"prefixes": dict(PREFIXES)} if fmt == "turtle" else {}
        return serialize(triples, format=GRAPH_FORMATS[fmt], **kwargs)
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"a SELECT or ASK query gives results: use --format "
                         f"table|{'|'.join(RESULT_FORMATS)} (not {fmt})")
    if fmt == "json":
        return answer.data
    return results(answer).serialize(format=RESULT_FORMATS[fmt])


# -- built stores for facts folders -----------------------------------------------


def built_store(dataset: str | os.PathLike, workdir: str | os.PathLike) -> Path:
    """The store folder for ``dataset``: itself when built, else built under ``workdir``.

    A facts folder is validated (InvalidDataset when it is not) and built into
    ``workdir/<id>.store``; the caller removes ``workdir``.
    """
    from ..loader.facts import load_facts
    from ..rdf.mapping import to_quads
    from ..store.store import build_store, is_store

    if is_store(dataset):
        return Path(dataset)
    facts = load_facts(dataset, display=os.fspath(dataset))
    return build_store(to_quads(facts), Path(workdir) / f"{facts.id}.store",
                       {"dataset": facts.id, "facts": os.fspath(dataset),
                        "files": facts.files})


def facts_store(facts, workdir: str | os.PathLike, source: str | os.PathLike) -> Path:
    """A store under ``workdir`` of ``facts`` (a graph.loader.facts.Facts, e.g. a
    dataset's facts as of a date), read from ``source``."""
    from ..rdf.mapping import to_quads
    from ..store.store import build_store

    return build_store(to_quads(facts), Path(workdir) / f"{facts.id}.store",
                       {"dataset": facts.id, "facts": os.fspath(source),
                        "files": facts.files})


# -- the oxigraph server -----------------------------------------------------------


def oxigraph_binary() -> str:
    """The ``oxigraph`` server program (PyPI ``oxigraph``) beside this Python, or on PATH."""
    import shutil

    beside = Path(sys.executable).parent / "oxigraph"
    found = os.fspath(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise QueryError("the oxigraph server is not installed: pip install oxigraph")
    return found


def server_command(store_path: str | os.PathLike, host: str, port: int,
                   timeout: float) -> list[str]:
    """The command line of a read-only oxigraph server on a built store.

    ``regiograph serve`` no longer runs it (:mod:`.endpoint` does, in Python): the
    server evaluates SERVICE itself (it calls the URL over HTTP) with no option to turn
    that off, ignores its timeout on a sort, and one query can crash it. Kept for
    those who run the oxigraph server on a trusted network themselves.
    """
    timeout = check_timeout(timeout, low=1)
    return [oxigraph_binary(), "serve-read-only",
            "--location", os.fspath(Path(store_path) / "db"),
            "--bind", f"{host}:{port}", "--timeout-s", str(max(1, math.ceil(timeout)))]


def wait_listening(proc: subprocess.Popen, host: str, port: int, within: float = 15.0) -> None:
    """Return once ``host:port`` accepts connections; QueryError if ``proc`` ends first."""
    import socket
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise QueryError(f"the oxigraph server stopped at once (exit {proc.returncode}); "
                             "its message is above (is the port taken?)")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise QueryError(f"the oxigraph server did not listen on {host}:{port} within {within:g} s")
