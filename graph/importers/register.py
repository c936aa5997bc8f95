"""A register's rows as facts: projects, the programme and its priorities, organisations
(who is who: graph.importers.identity), responsibilities, funding and areas.

The modelling (the issue "Real registers in"): the programme is a strategy, its priority
axes / insatsområden / specific objectives its priorities, each project implements its
own; the beneficiary or lead partner (LP) administers the project, other partners are
partners; money is funding in its own currency; areas are joined to the bundled
reference sets by official name or code, and what cannot be placed is reported, never
guessed. Every entry cites the file it came from (a ``sources`` entry with the file's
name, date and SHA-256).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..loader.facts import printable, valid_country
from ..loader.yamlread import FORBIDDEN_TEXT
from ..model.names import folded, slug
from ..model.registers import is_personal_id, scheme_of_country
from .identity import cached_normal
from .mapping import Mapping
from .rows import BadRow, Row, read_bounded, read_table


@dataclass
class Problem:
    """One row that could not be imported (or one thing a person should know)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{printable(self.file)}:{self.line}: {printable(self.message)}"


@dataclass
class Mention:
    """An organisation as one row of a register names it."""

    name: str
    codes: dict[str, str]
    country: str | None
    kind: str | None
    file: str
    line: int
    note: str | None = None


@dataclass
class Imported:
    """What rows made, before organisations are resolved (see :func:`read_register`)."""

    mapping: Mapping
    sources: list[dict] = field(default_factory=list)
    strategies: dict[str, dict] = field(default_factory=dict)
    projects: dict[str, dict] = field(default_factory=dict)
    #: mentions, and per mention what refers to it: (project id, how: administrator|
    #: partner|funder, role of a responsibility or None)
    mentions: list[Mention] = field(default_factory=list)
    uses: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    people: list[tuple[dict, int]] = field(default_factory=list)  # (person, mention index)
    bad: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_imported: int = 0
    personal_skipped: int = 0
    budgets: dict[str, list[tuple[int, Decimal]]] = field(default_factory=dict)
    #: every id given so far (reference areas included) -> what it names
    taken: dict[str, object] = field(default_factory=dict)
    #: (programme id, project code) -> project id; programme name -> id
    project_ids: dict[tuple, str] = field(default_factory=dict)
    programme_ids: dict[str, str] = field(default_factory=dict)
    key_of: dict[str, tuple] = field(default_factory=dict)  # a code's id -> its first key
    #: the file of each mention as shown -> its source id
    source_of: dict[str, str] = field(default_factory=dict)
    leads: dict[str, int] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # file as shown -> SHA-256


class RowError(ValueError):
    """A cell of a row that cannot be read: the message names the column."""


class PersonalId(Exception):
    """A register id that is a person's (a Swedish sole trader's personnummer)."""


# ----------------------------------------------------------------------------- cells


_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_CURRENCY = re.compile(r"(?i)^(eur|sek|nok|kr|€)|(eur|sek|nok|kr|€|:-)$")
_DECIMAL = re.compile(r"\d+(\.\d+)?")
_GROUPED = {d: re.compile(rf"\d{{1,3}}(\{o}\d{{3}})+(\{d}\d+)?")
            for d, o in ((",", "."), (".", ","))}


def parse_date(text: str, fmt: str) -> str:
    """A register date as the facts format writes it (YYYY-MM-DD). Raises ValueError.
    A date cell of a spreadsheet is taken as it is, whatever ``fmt`` says.

    >>> parse_date("6.11.2008", "d.m.yyyy"), parse_date("2015-03-01 00:00:00", "yyyy-mm-dd")
    ('2008-11-06', '2015-03-01')
    """
    value = getattr(text, "value", None)
    if isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    text = text.strip()
    if fmt == "d.m.yyyy":
        m = _DMY.fullmatch(text)
        if not m:
            raise ValueError(f"{_short(text)!r} is not a date like 6.11.2008")
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _YMD.fullmatch(text)
        if not m:
            raise ValueError(f"{_short(text)!r} is not a date like 2008-11-06")
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


#: the digits a number of the facts keeps exactly (a double: 15 significant digits)
MAX_DIGITS = 15


def parse_amount(text: str, decimal: str = ",") -> int | float:
    """A register amount as a number: spaces (also no-break ones) and a currency word or
    sign dropped, ``decimal`` the decimal separator and the other one allowed only between
    groups of three digits (``1.234.567,50``; ``1.5`` in a ``,``-decimal file is refused,
    never read as 15). A number cell of a spreadsheet is taken as it is. Raises
    ValueError for text that is no amount, is negative, or has more than 15 digits.

    >>> parse_amount("1 234 567,50"), parse_amount("87000"), parse_amount("1,234.5", ".")
    (1234567.5, 87000, 1234.5)
    >>> parse_amount("€ 100"), parse_amount("1.234.567", ",")
    (100, 1234567)
    """
    value = getattr(text, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return _exact(number, text)
    raw = text
    text = _CURRENCY.sub("", _SPACES.sub("", text))
    other = "." if decimal == "," else ","
    if other in text:
        grouped = _GROUPED[decimal]  # the mapping allows ',' or '.' only
        if not grouped.fullmatch(text):
            raise ValueError(f"{_short(raw)!r} is not an amount (like 87000 or 1 234 567"
                             f"{decimal}50: {decimal!r} is this format's decimal separator)")
        text = text.replace(other, "")
    text = text.replace(decimal, ".")
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"{_short(raw)!r} is not an amount (like 87000 or 1 234 567"
                         f"{decimal}50)")
    return _exact(Decimal(text), raw)


def _exact(number: Decimal, raw) -> int | float:
    if not number.is_finite() or number < 0:
        raise ValueError(f"{_short(str(raw))!r} is not an amount of 0 or more")
    number = number.normalize()
    digits = len(number.as_tuple().digits)
    if digits > MAX_DIGITS:
        raise ValueError(f"{_short(str(raw))!r} has more than {MAX_DIGITS} digits, more than "
                         "an amount keeps exactly")
    return int(number) if number == number.to_integral_value() else float(number)


def _short(text: str, limit: int = 60) -> str:
    """A cell shown in a message: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def make_id(text: str, limit: int = 60) -> str:
    """An id part of ``text`` (:func:`graph.model.names.slug`) of at most ``limit``
    characters, never ending in '-'; empty when ``text`` has no letter or digit."""
    return slug(text)[:limit].strip("-")


def unique_id(base: str, taken: dict, owner: object) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first not taken by another owner."""
    ident, n = base, 2
    while ident in taken and taken[ident] != owner:
        ident, n = f"{base}-{n}", n + 1
    taken[ident] = owner
    return ident


def split_list(text: str) -> list[str]:
    """The items of a cell that lists several (',' ';' '/' or new lines between them)."""
    return [p.strip() for p in re.split(r"[;,/\n]", text) if p.strip()]


# ----------------------------------------------------------------------------- areas


class AreaIndex:
    """The reference areas of some sets, found by official code or name.

    Names are compared by :func:`graph.model.names.folded`. A name written with its kind ("Haparanda
    kommun", "Norrbottens län", "Kemin kaupunki") is looked for among areas of that kind,
    also without the genitive -s; a län or fylke is also found by its name alone
    ("Norrbotten"). Where a name fits several areas, the kinds the column asks for are
    preferred (a kommun column: the municipality Stockholm, not Stockholms län); what
    still fits several is ambiguous and not placed.
    """

    def __init__(self, uses: list[str]):
        from ..loader.reference import used_entries

        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.by_scheme: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.areas: dict[str, dict] = {}
        for area in used_entries(uses)["areas"] if uses else []:
            self.areas[area["id"]] = area
            country = area.get("country")
            for scheme, code in (area.get("codes") or {}).items():
                self.by_scheme[scheme, code].append(area["id"])
                self.by_key[f"code:{country}:{code.casefold()}"].add(area["id"])
                self.by_key[f"code:*:{code.casefold()}"].add(area["id"])
            for name in area["name"].values():
                keys = {folded(name)}
                if area["kind"] == "region":
                    keys |= {stem for stem, _ in _suffixed(folded(name), REGION_WORDS)}
                for key in keys:
                    self.by_key[f"name:{country}:{key}"].add(area["id"])
                    self.by_key[f"name:*:{key}"].add(area["id"])

    def find(self, text: str, country: str | None, kinds: tuple[str, ...] = ()
             ) -> tuple[str | None, list[str]]:
        """The id of the one area ``text`` names (a code or a name) and, when it names
        several, their ids (then the id is None)."""
        scope = country or "*"
        name = folded(text)
        keys = [(f"code:{scope}:{text.strip().casefold()}", None), (f"name:{scope}:{name}", None)]
        keys += [(f"name:{scope}:{stem}", "municipality")
                 for stem, _ in _suffixed(name, MUNICIPALITY_WORDS)]
        keys += [(f"name:{scope}:{stem}", "region") for stem, _ in _suffixed(name, REGION_WORDS)]
        for key, kind in keys:
            found = self.by_key.get(key, set())
            if kind:
                found = {i for i in found if self.areas[i]["kind"] == kind}
            if len(found) > 1 and kinds:
                found = {i for i in found if self.areas[i]["kind"] in kinds} or found
            if len(found) == 1:
                return next(iter(found)), []
            if found:
                return None, sorted(found)
        return None, []

    def by_code(self, scheme: str, code: str) -> str | None:
        found = self.by_scheme.get((scheme, code), [])
        return found[0] if len(found) == 1 else None


MUNICIPALITY_WORDS = ("kommun", "kunta", "kaupunki", "kommune", "municipality")
REGION_WORDS = ("län", "lan", "fylke", "maakunta", "county", "region")


def _suffixed(name: str, words: tuple[str, ...]) -> list[tuple[str, str]]:
    """``name`` without a trailing kind word, and without its genitive (-s, Finnish -n)."""
    out = []
    for word in words:
        if name.endswith(" " + word):
            stem = name[: -len(word) - 1]
            out.append((stem, word))
            genitive = "n" if word in ("kunta", "kaupunki", "maakunta") else "s"
            if stem.endswith(genitive):  # Kemin kaupunki, Norrbottens län
                out.append((stem[:-1], word))
    return out


# ----------------------------------------------------------------------------- reading


def file_source(path: Path, raw: bytes, mapping: Mapping) -> dict:
    """The ``sources`` entry of one imported file (``raw``: its bytes): its title, date,
    file name and SHA-256."""
    digest = hashlib.sha256(raw).hexdigest()
    date = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    title = {lang: f"{text}: {path.name}" for lang, text in mapping.title.items()}
    return {
        "id": f"import-{make_id(path.stem, 40) or 'file'}-{digest[:8]}",
        "title": title,
        "kind": "dataset",
        "date": date,
        "file": path.name,
        "note": f"sha256 {digest}; imported with `regiograph import {mapping.format}`; "
                "date: the file's modification date",
    }


def read_register(mapping: Mapping, files: list[Path], *, personal: bool = False,
                  today: dt.date | None = None, shown=None) -> Imported:
    """Read every row of ``files`` as ``mapping`` says: projects, strategies and priorities,
    organisation mentions (resolved later), bad rows. Cost: one pass over each file.
    """
    today = today or dt.date.today()
    out = Imported(mapping)
    areas = AreaIndex(mapping.uses)
    out.taken.update({ident: ("area", ident) for ident in areas.areas})
    seen_projects: dict[str, tuple[str, int]] = {}
    for path in files:
        path = Path(path)
        name = shown(path) if shown else str(path)
        raw = read_bounded(path, name)
        source = file_source(path, raw, mapping)
        if any(s["id"] == source["id"] for s in out.sources):
            out.notices.append(Problem(name, 1, "the same file twice: read once"))
            continue
        out.sources.append(source)
        out.taken[source["id"]] = ("source", source["id"])
        out.source_of[name] = source["id"]
        out.digests[name] = source["note"].split()[1].rstrip(";")
        reader = read_table(path, mapping.columns, mapping.optional, shown=name, raw=raw,
                            fits=lambda cells: not _typed_problems(mapping, cells),
                            free=mapping.free_text)
        for row in reader:
            out.rows_read += 1
            if isinstance(row, BadRow):
                out.bad.append(Problem(name, row.line, row.message))
                continue
            try:
                _read_row(out, row, name, source["id"], areas, seen_projects, personal, today)
            except RowError as exc:
                out.bad.append(Problem(name, row.line, str(exc)))
                continue
            out.rows_imported += 1
            for note in row.notes:
                out.notices.append(Problem(name, row.line, note))
    _finish_partner_budgets(out)
    return out


def _typed_problems(mapping: Mapping, cells: dict[str, str]) -> list[str]:
    """Why the dates and amounts of a row cannot be read (empty when they can)."""
    problems = []
    for role, read in (("project.start", lambda t: parse_date(t, mapping.dates)),
                       ("project.end", lambda t: parse_date(t, mapping.dates)),
                       ("project.amount", lambda t: parse_amount(t, mapping.decimal)),
                       ("partner.budget", lambda t: parse_amount(t, mapping.decimal))):
        column = mapping.column(role)
        if column and cells.get(column):
            try:
                read(cells[column])
            except ValueError as exc:
                problems.append(f"column {column!r}: {exc}")
    return problems


def _cell(mapping: Mapping, cells: dict[str, str], role: str) -> str:
    column = mapping.column(role)
    return cells.get(column, "") if column else ""


def _read_row(out: Imported, row: Row, file: str, source: str, areas: AreaIndex,
              seen: dict, personal: bool, today: dt.date) -> None:
    m, cells = out.mapping, row.cells
    for column, text in cells.items():
        bad = FORBIDDEN_TEXT.search(text)
        if bad:
            raise RowError(f"column {column!r} holds the control character "
                           f"U+{ord(bad[0]):04X}, which no facts file may hold; remove it")
    problems = _typed_problems(m, cells)
    if problems:
        raise RowError("; ".join(problems))
    code = _cell(m, cells, "project.id")
    if not code:
        raise RowError(f"column {m.column('project.id')!r} is empty: a project needs its code")
    if not make_id(code):
        raise RowError(f"column {m.column('project.id')!r}: {_short(code)!r} has no letter or "
                       "digit to make an id of")
    organisation = _cell(m, cells, "organisation.name")
    if not organisation:
        raise RowError(f"column {m.column('organisation.name')!r} is empty: the row names no "
                       "beneficiary or partner")
    for role in ("organisation.name", "authority"):  # who is who could not tell them apart
        name = _cell(m, cells, role)
        if name and not cached_normal(name):
            raise RowError(f"column {m.column(role)!r}: {_short(name)!r} has no letter or "
                           "digit, so it names no organisation")
    country = _country(_cell(m, cells, "organisation.country")) or m.country
    try:
        codes = _register_ids(m, cells, country, personal)
    except PersonalId:
        codes = {}
        out.personal_skipped += 1
        out.notices.append(Problem(file, row.line, f"column "
                                   f"{m.column('organisation.register_id')!r}: a personnummer "
                                   "(a sole trader's), personal data: left out (--personal "
                                   "imports it)"))
    role_text = _cell(m, cells, "partner.role") if m.rows == "partner" else ""
    role = m.roles.get(role_text) if role_text else None
    if role_text and role is None:
        raise RowError(f"column {m.column('partner.role')!r}: {role_text!r} is not a partner "
                       f"role ({', '.join(m.roles)})")
    sid = _programme_id(out, m, cells)
    key = (sid, code)
    pid = out.project_ids.get(key)
    if m.rows == "project" and pid in seen:
        first = seen[pid]
        raise RowError(f"project {_short(code)!r} again (first at {first[0]}:{first[1]}); one "
                       "row per project in this format")
    if pid is None:
        base = make_id(code)
        clash = out.key_of.get(base)
        if clash and clash[0] == sid:
            raise RowError(f"column {m.column('project.id')!r}: code {_short(code)!r} makes the "
                           f"same id ({base}) as the code {_short(clash[1])!r}; give one of "
                           "them another code")
        pid = unique_id(base, out.taken, ("project", key))
        if clash:
            out.notices.append(Problem(file, row.line, f"code {_short(code)!r} is also a "
                                       f"project of another programme: this one is {pid}"))
    project = out.projects.get(pid)
    new = project is None
    if new:  # every check that can refuse the row comes before anything is kept
        project = _new_project(out, m, cells, pid, code, source, areas, today, file, row.line)
    strategy, priority = _programme(out, m, cells, source, file, row.line)
    if new:
        project["implements"] = [priority or strategy]
        seen[pid] = (file, row.line)
        out.projects[pid] = project
        out.project_ids[key] = pid
        out.key_of.setdefault(make_id(code), key)
    elif _cell(m, cells, "project.name") and \
            _cell(m, cells, "project.name") != _names_text(project["name"]):
        out.notices.append(Problem(file, row.line, f"project {code!r} is named "
                                   f"{_cell(m, cells, 'project.name')!r} here and "
                                   f"{_names_text(project['name'])!r} before; the first kept"))
    if priority and priority not in project["implements"]:
        project["implements"].append(priority)
    if not new:  # a further partner row: its areas are the project's too
        _place(out, m, cells, project, areas, file, row.line)
    _add_source(project, source)

    kind = _cell(m, cells, "organisation.kind") or None
    org_note = _note(m, cells, "organisation.note")
    out.mentions.append(Mention(organisation, codes, country, kind, file, row.line, org_note))
    index = len(out.mentions) - 1
    if m.rows == "partner":
        how = "administrator" if role == "lead" else "partner"
        if role == "lead" and pid in out.leads:
            first = out.mentions[out.leads[pid]]
            out.notices.append(Problem(file, row.line, f"a second lead partner of "
                                       f"{_short(code)!r} ({first.name} at row {first.line} "
                                       "is the first): both hold `lead`, the first administers"))
        elif role == "lead":
            out.leads[pid] = index
        out.uses.append((index, pid, how, "lead" if role == "lead" else "participate"))
        budget = _cell(m, cells, "partner.budget")
        if budget:
            out.budgets.setdefault(pid, []).append((index, Decimal(str(parse_amount(
                budget, m.decimal)))))
    else:
        out.uses.append((index, pid, "administrator", None))
    authority = _cell(m, cells, "authority")
    if authority:
        region = m.authority_regions.get(authority)
        out.mentions.append(Mention(authority, {}, m.country,
                                    "regional-council" if region else "funding-authority",
                                    file, row.line))
        out.uses.append((len(out.mentions) - 1, pid, "funder", "fund"))
        if region and not project.get("areas"):
            area = areas.by_code("region", region)
            if area:
                project["areas"] = [area]
                project.setdefault("_notes", []).append(
                    f"area: only the region of its funding authority ({authority}) is known; "
                    "the register names no place")
    contact = _cell(m, cells, "contact.name")
    phone, email = _cell(m, cells, "contact.phone"), _cell(m, cells, "contact.email")
    if contact or phone or email:
        if not personal:
            out.personal_skipped += 1
        elif contact:
            person = {"name": contact, "project": pid,
                      "note": "; ".join(x for x in (f"phone {phone}" if phone else "",
                                                    f"e-mail {email}" if email else "") if x)}
            out.people.append((person, index))


def _register_ids(m: Mapping, cells: dict[str, str], country: str | None,
                  personal: bool = False) -> dict[str, str]:
    text = _cell(m, cells, "organisation.register_id")
    if not text:
        return {}
    scheme = scheme_of_country(country)
    if scheme and not personal and is_personal_id(scheme, text):
        raise PersonalId
    if scheme is None:
        raise RowError(f"column {m.column('organisation.register_id')!r}: {text!r}: no country "
                       "is known to tell which register the id belongs to")
    return {scheme: text}


_COUNTRIES = {"finland": "FI", "suomi": "FI", "sweden": "SE", "sverige": "SE", "ruotsi": "SE",
              "norway": "NO", "norge": "NO", "noreg": "NO", "norja": "NO"}


def _country(text: str) -> str | None:
    if not text:
        return None
    code = text.strip().upper()
    if valid_country(code):
        return code
    return _COUNTRIES.get(folded(text))


def _programme_id(out: Imported, m: Mapping, cells) -> str:
    """The id of the row's programme (given once per programme name; checked, not kept)."""
    name = _cell(m, cells, "programme.name")
    if not name:
        block = m.programme or {}
        name, base = "", block.get("id") or f"programme-{make_id(m.format)}"
    else:
        base = make_id(name)
        if not base:
            raise RowError(f"column {m.column('programme.name')!r}: {_short(name)!r} has no "
                           "letter or digit to make an id of")
        base = make_id(f"programme-{base}", 70)
    if name not in out.programme_ids:
        return unique_id(base, dict(out.taken), ("programme", name))
    return out.programme_ids[name]


def _programme(out: Imported, m: Mapping, cells, source: str, file: str,
               line: int) -> tuple[str, str | None]:
    name = _cell(m, cells, "programme.name")
    if name not in out.programme_ids:
        out.programme_ids[name] = unique_id(_programme_id(out, m, cells), out.taken,
                                            ("programme", name))
    sid = out.programme_ids[name]
    if name:
        entry = {"id": sid, "name": {m.lang: name}, "kind": "programme"}
    else:
        block = m.programme or {}
        entry = {"id": sid, "name": block.get("name") or {m.lang: sid}, "kind": "programme"}
        if block.get("period"):
            entry["period"] = {k: str(v) for k, v in block["period"].items()}
    strategy = out.strategies.setdefault(sid, {**entry, "priorities": []})
    _add_source(strategy, source)
    code = _cell(m, cells, "priority.code")
    if not code:
        return sid, None
    existing = next((p["id"] for p in strategy["priorities"] if p["_code"] == code), None)
    if existing:
        return sid, existing
    pid = unique_id(make_id(f"{sid}-{make_id(code, 40) or 'priority'}", 100), out.taken,
                    ("priority", sid, code))
    template = m.priority_name or {m.lang: "{}"}
    names = {lang: t.replace("{}", code) for lang, t in template.items()}
    if code not in names.get(m.lang, ""):
        names[m.lang] = code
    strategy["priorities"].append({"id": pid, "name": names, "_code": code})
    return sid, pid


def _new_project(out, m: Mapping, cells, pid, code, source, areas: AreaIndex, today,
                 file: str, line: int) -> dict:
    name = _cell(m, cells, "project.name")
    if not name:
        raise RowError(f"column {m.column('project.name')!r} is empty: a project needs a name")
    project: dict = {"id": pid, "name": {m.lang: name}}
    if pid != code.casefold():
        project["_notes"] = [f"code in the register: {code}"]
    description = _cell(m, cells, "project.description")
    if description:
        project["description"] = {m.lang: description}
    period = {}
    for key, role in (("from", "project.start"), ("to", "project.end")):
        text = _cell(m, cells, role)
        if text:
            period[key] = parse_date(text, m.dates)
    if "from" in period and "to" in period and period["to"] < period["from"]:
        raise RowError(f"column {m.column('project.end')!r}: the project ends ({period['to']}) "
                       f"before it starts ({period['from']})")
    if period:
        project["period"] = period
    project["status"] = _status(project, m, cells, today)
    _place(out, m, cells, project, areas, file, line)
    amount = _cell(m, cells, "project.amount")
    if amount:
        value = parse_amount(amount, m.decimal)
        if value > 0:
            project["funding"] = {"total": value, "currency": m.currency}
    fund = _cell(m, cells, "fund")
    notes = [f"fund: {fund}"] if fund else []
    notes += [f"{c}: {cells[c]}" for c in m.note_columns() if cells.get(c)]
    if notes:
        project.setdefault("_notes", []).extend(notes)
    project["source"] = [source]
    return project


def _status(project: dict, m: Mapping, cells, today: dt.date) -> str:
    text = _cell(m, cells, "project.status")
    if text:
        status = m.status.get(text) or m.status.get(text.strip().capitalize())
        if status is None:
            raise RowError(f"column {m.column('project.status')!r}: {_short(text)!r} is not a "
                           f"status this format knows ({', '.join(m.status)}); add it to the "
                           "mapping's status: table")
        return status
    period = project.get("period", {})
    day = today.isoformat()
    if period.get("to") and period["to"] < day:
        status = "completed"
    elif period.get("from") and period["from"] <= day:
        status = "running"
    elif period.get("from"):
        status = "planned"
    else:
        raise RowError("no status and no dates: the project's status cannot be known")
    project.setdefault("_notes", []).append(
        f"status {status}: from its period as of {day} (the register gives no status)")
    return status


def _place(out: Imported, m: Mapping, cells, project: dict, areas: AreaIndex, file: str,
           line: int) -> None:
    """Add the areas a row names to ``project``; report those that are no reference area
    and those that name several."""
    found, unplaced = _areas(m, cells, areas)
    for area in found:
        if area not in project.setdefault("areas", []):
            project["areas"].append(area)
    if not project.get("areas"):
        project.pop("areas", None)
    for text, several in unplaced:
        if several:
            why = (f"names several reference areas ({', '.join(several[:5])}): left out, "
                   "not guessed; write its code instead")
        else:
            why = (f"is none of the reference areas ({', '.join(m.uses) or 'no reference set'})"
                   " by official name or code: left out, not guessed")
        out.notices.append(Problem(file, line, f"area {_short(text)!r} {why}"))


def _areas(m: Mapping, cells, index: AreaIndex) -> tuple[list[str], list[tuple[str, list]]]:
    found: list[str] = []
    unplaced: list[tuple[str, list]] = []
    # the municipalities named; the region only when no municipality is
    for role, kind in (("project.areas", "municipality"), ("project.region", "region")):
        if role == "project.region" and found:
            break
        for item in split_list(_cell(m, cells, role)):
            area, several = index.find(item, m.country, (kind,))
            if area and area not in found:
                found.append(area)
            elif not area:
                unplaced.append((item, several))
    return found, unplaced


def _note(m: Mapping, cells, role: str) -> str | None:
    parts = [f"{c}: {cells[c]}" for c in m.note_columns(role) if cells.get(c)]
    return "; ".join(parts) or None


def _names_text(names: dict) -> str:
    return next(iter(names.values()))


def _add_source(entry: dict, source: str) -> None:
    sources = entry.setdefault("source", [])
    if source not in sources:
        sources.append(source)


def _finish_partner_budgets(out: Imported) -> None:
    """Projects of partner rows: the sum of the partner budgets is their funding."""
    for pid, budgets in out.budgets.items():
        total = sum(b for _, b in budgets)
        if total > 0:
            value = int(total) if total == total.to_integral_value() else float(total)
            out.projects[pid]["funding"] = {"total": value, "currency": out.mapping.currency}
            out.projects[pid].setdefault("_notes", []).append(
                "funding: the sum of the partner budgets in the register")


# ----------------------------------------------------------------------------- facts


def to_facts(out: Imported, orgs: list[dict], owner: list[int | None], dataset: dict) -> dict:
    """The facts document: ``orgs`` are the resolved organisations (id, name, kind…),
    ``owner[i]`` the index in ``orgs`` of mention ``i`` (None: not imported)."""
    from ..model.schema import facts_document

    doc = facts_document()
    doc["dataset"] = dataset
    doc["sources"] = out.sources
    organisations = []
    for org in orgs:
        organisations.append(org)
    projects = out.projects
    responsibilities = []
    seen_responsibilities: set[tuple] = set()
    funders: dict[str, list[str]] = defaultdict(list)
    for index, pid, how, role in out.uses:
        o = owner[index]
        if o is None:
            continue
        oid = orgs[o]["id"]
        project = projects[pid]
        if how == "administrator":
            if "administrator" in project and project["administrator"] != oid:
                project.setdefault("partners", [])
                if oid not in project["partners"]:
                    project["partners"].append(oid)
            else:
                project["administrator"] = oid
        elif how == "partner":
            if oid != project.get("administrator") and oid not in project.get("partners", []):
                project.setdefault("partners", []).append(oid)
        elif how == "funder" and oid not in funders[pid]:
            funders[pid].append(oid)
        if role and (oid, role, pid) not in seen_responsibilities:
            seen_responsibilities.add((oid, role, pid))
            responsibilities.append({"actor": oid, "role": role, "for": pid,
                                     "source": list(project["source"])})
    for pid, project in projects.items():
        funding = project.get("funding")
        if funding and funders.get(pid):
            funding["sources"] = [{"funders": funders[pid], "amount": funding["total"]}]
        budgets = out.budgets.get(pid)
        if budgets:
            lines = [f"{orgs[owner[i]]['name'][out.mapping.lang] if owner[i] is not None else '?'}"
                     f" {b} {out.mapping.currency}" for i, b in budgets]
            project.setdefault("_notes", []).append("partner budgets: " + "; ".join(lines))
    ordered_projects = []
    for project in projects.values():
        notes = project.pop("_notes", [])
        ordered = {k: project[k] for k in ("id", "name", "description", "administrator",
                                            "partners", "areas", "period", "status",
                                            "implements", "funding", "source")
                   if k in project}
        if notes:
            ordered["note"] = "; ".join(notes)
        ordered_projects.append(ordered)
    people: list[dict] = []
    by_person: dict[tuple, dict] = {}  # one person per name and organisation
    for person, index in out.people:
        o = owner[index]
        org = orgs[o]["id"] if o is not None else None
        entry = by_person.get((person["name"], org))
        if entry is None:
            if not make_id(person["name"]):
                continue  # no letter or digit: no name to make a person of
            ident = unique_id(f"person-{make_id(person['name'])}", out.taken,
                              ("person", person["name"], org))
            entry = {"id": ident, "name": person["name"], "source": [], "_projects": [],
                     "_contact": []}
            if org:
                entry["posts"] = [{"organisation": org, "title": {"en": "project leader"}}]
            by_person[(person["name"], org)] = entry
            people.append(entry)
        for source in projects[person["project"]]["source"]:
            _add_source(entry, source)
        entry["_projects"].append(person["project"])
        if person["note"] and person["note"] not in entry["_contact"]:
            entry["_contact"].append(person["note"])
    for entry in people:
        entry["note"] = "; ".join([f"project leader of {', '.join(entry.pop('_projects'))}",
                                   *entry.pop("_contact")])
        entry["source"] = entry.pop("source")  # after posts, as the format orders fields
    strategies = []
    for strategy in out.strategies.values():
        strategy["priorities"] = [{k: v for k, v in p.items() if k != "_code"}
                                  for p in strategy["priorities"]]
        if not strategy["priorities"]:
            strategy = {k: v for k, v in strategy.items() if k != "priorities"}
        strategies.append(strategy)
    doc["organisations"] = organisations
    if people:
        doc["people"] = people
    doc["strategies"] = strategies
    doc["projects"] = ordered_projects
    doc["responsibilities"] = responsibilities
    return {k: v for k, v in doc.items() if v or k == "dataset"}


def counts(doc: dict) -> dict[str, int]:
    return {k: len(v) for k, v in doc.items() if isinstance(v, list)}
