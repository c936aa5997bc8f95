"""A check is data: one ``.rq`` file whose comment header says what its findings are.

Header fields (see graph.query.library for the header syntax), besides ``title``,
``description`` and ``columns``:

- ``order``: where its findings come in reports (the seven of CHECKS.md: 1-7);
- ``basis``: ``recorded`` or ``unrecorded`` — what a finding rests on when no statement
  of the dataset corroborates it (CHECKS.md "Basis");
- ``subjects`` and ``target``: the columns that hold them (rows are grouped into one
  finding per subjects and target);
- ``explain``: the finding in words (graph.checks.template), or ``builder: pairs`` for
  two compared facts (overlaps) with ``compared`` (the two fact columns), ``noun`` (what
  a fact is called) and ``verb`` (a word, or ``?role`` for the role column);
- ``sources``: the expressions whose entities' sources a finding lists;
- ``builder: similar`` (graph.checks.similar): rows of ``project``, ``what``, ``value``,
  one per fact of a project; the builder compares the projects' texts itself;
- ``advisory: yes``: the check's findings are hints (ranked by a score), shown apart and
  not counted by ``check --strict`` unless the check is named with ``--only``;
- ``needs``, ``domain`` and ``disagree``: for a statement that says this check but
  matches no finding, what the check needs (words), the SPARQL pattern of what it
  looks at (binding the subject or target columns), and what it means that the data
  has that but no finding (a template of ``{about}``).

Adding a check is adding such a file (and a test folder, tests/checks/NAME/CASE/).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..model.schema import CheckError, check_files
from ..query.library import QueryFile, parse
from .context import CALL, LOOKUPS
from .template import expressions

#: what a check's findings may rest on, when no statement states them
CHECK_BASES = ("recorded", "unrecorded")
BUILDERS = ("findings", "pairs", "similar")


@dataclass(frozen=True)
class CheckSpec:
    """One check, read from its file's header."""

    name: str
    query: QueryFile
    order: float
    basis: str
    subjects: tuple[str, ...]
    target: str
    builder: str
    explain: str
    sources: tuple[str, ...]
    needs: str
    domain: str
    disagree: str
    compared: tuple[str, ...] = ()
    noun: str = ""
    verb: str = ""
    #: ``# advisory: yes``: hints, not counted by ``check --strict`` unless named in --only
    advisory: bool = False

    @property
    def title(self) -> str:
        return self.query.title

    @property
    def description(self) -> str:
        return self.query.description

    @property
    def text(self) -> str:
        return self.query.text


def read_spec(query: QueryFile) -> CheckSpec:
    """The CheckSpec of a parsed check file; CheckError names a missing or bad field."""
    f = query.fields
    where = f"check {query.name} ({query.path})"

    def need(key: str) -> str:
        if not f.get(key, "").strip():
            raise CheckError(f"{where}: its header needs '# {key}:'")
        return f[key].strip()

    basis = need("basis").split()[0]
    if basis not in CHECK_BASES:
        raise CheckError(f"{where}: '# basis:' is {basis!r}; use one of "
                         f"{', '.join(CHECK_BASES)}")
    builder = f.get("builder", "findings").strip() or "findings"
    if builder not in BUILDERS:
        raise CheckError(f"{where}: '# builder:' is {builder!r}; use one of "
                         f"{', '.join(BUILDERS)}")
    try:
        order = float(f.get("order", "inf"))
    except ValueError:
        raise CheckError(f"{where}: '# order:' must be a number") from None
    need("title")
    subjects = tuple(query.words("subjects"))
    if not subjects:
        need("subjects")
    spec = CheckSpec(
        name=query.name, query=query, order=order, basis=basis, subjects=subjects,
        target=need("target"), builder=builder,
        explain=need("explain") if builder == "findings" else "",
        sources=tuple(query.words("sources")), needs=need("needs"), domain=need("domain"),
        disagree=need("disagree"), compared=tuple(query.words("compared")),
        noun=f.get("noun", "").strip(), verb=f.get("verb", "").strip(),
        advisory=_yes(f.get("advisory", ""), where))
    if builder == "pairs" and (len(subjects) != 2 or len(spec.compared) != 2
                               or not spec.noun or not spec.verb):
        raise CheckError(f"{where}: 'builder: pairs' needs two subjects, '# compared:' "
                         "(two columns), '# noun:' and '# verb:'")
    _check_against_query(spec, where)
    return spec


def _yes(text: str, where: str) -> bool:
    """``# advisory:`` as a flag: yes/no (absent: no); its first word counts."""
    word = (text.split() or ["no"])[0].lower()
    if word not in ("yes", "no"):
        raise CheckError(f"{where}: '# advisory:' is {word!r}; use yes or no")
    return word == "yes"


def _check_against_query(spec: CheckSpec, where: str) -> None:
    """Refuse, before anything runs, a header that names a column the query does not
    select or a lookup there is not, and SPARQL the engine cannot parse."""
    from pyoxigraph import Store

    from ..model.vocab import sparql_prologue

    empty = Store()  # parsing is what is tested: an empty store answers at once
    try:
        columns = {v.value for v in empty.query(spec.text).variables}
        empty.query(sparql_prologue() + f"ASK {{ {spec.domain} }}")
    except SyntaxError as exc:
        raise CheckError(f"{where}: its SPARQL (query or '# domain:') does not parse: "
                         f"{exc}") from None
    used = [*spec.subjects, spec.target, *spec.compared]
    if spec.builder == "similar":  # graph.checks.similar reads these columns
        used += ["project", "what", "value"]
    if spec.verb.startswith("?"):
        used.append(spec.verb[1:])
    exprs = [*expressions(spec.explain), *spec.sources]
    for expr in exprs:
        inner = expr
        while (m := CALL.match(inner.strip())) is not None:
            if m.group(1) not in LOOKUPS:
                raise CheckError(f"{where}: no lookup {m.group(1)!r}; lookups are: "
                                 f"{', '.join(LOOKUPS)}")
            inner = m.group(2)
        used.append(inner.strip())
    missing = [c for c in dict.fromkeys(used) if c not in columns]
    if missing:
        raise CheckError(f"{where}: the header names {', '.join(map(repr, missing))}, which "
                         f"the query does not select (it selects {', '.join(sorted(columns))})")
    names = expressions(spec.disagree)
    if any(n != "about" for n in names):
        raise CheckError(f"{where}: '# disagree:' may name only {{about}}")


def check_specs() -> dict[str, CheckSpec]:
    """Every check by name, in report order (``order``, then name). A check of
    REGIOGRAPH_CHECKS with the name of a package check replaces it. Raises CheckError
    for a check that cannot be used. Each file is read once while it is unchanged."""
    files = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in check_files())
    return dict(_specs(files))


@functools.lru_cache(maxsize=4)
def _specs(files: tuple) -> tuple[tuple[str, CheckSpec], ...]:
    found: dict[str, CheckSpec] = {}
    for path, _, _ in files:
        found[path.stem] = read_spec(parse(path.stem, path.read_text("utf-8"), path))
    return tuple(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


def names() -> tuple[str, ...]:
    """The check names in report order."""
    return tuple(check_specs())


def select(only=(), skip=()) -> list[str]:
    """Check names to run; unknown names raise ValueError naming the known ones."""
    known = names()
    only, skip = list(only), list(skip)
    for name in [*only, *skip]:
        if name not in known:
            raise ValueError(f"unknown check {name!r}; checks are: {', '.join(known)}")
    return [c for c in known if (not only or c in only) and c not in skip]
