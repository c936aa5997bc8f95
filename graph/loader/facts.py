"""Read a facts dataset (a folder of YAML files) into validated, canonical facts.

Every problem found in one run is collected as a :class:`Problem` with file and
line; :func:`load_facts` raises :class:`InvalidDataset` carrying all of them.
The canonical facts are plain data (dicts, lists, str, int, float) so that they
can be compared, serialised and rebuilt from RDF (see :mod:`graph.rdf.mapping`).
"""

from __future__ import annotations

import calendar
import difflib
import functools
import json
import math
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from operator import contains, itemgetter
from pathlib import Path

from pyoxigraph import NamedNode

from ..base.gcpause import paused_gc
from ..base.progress import progress
from ..model.registers import SCHEMES as REGISTER_SCHEMES
from ..model.registers import check_register_id
from ..model.schema import (
    DATASET,
    ENTITIES,
    FORMAT_VERSION,
    KIND_SECTION,
    SECTIONS,
    TOP_LEVEL,
    Field,
    Schema,
    article,
    vocabulary,
)
from ..model.vocab import default_base
from . import yamlread
from .yamlread import BigInt, Mapping, Scalar, Sequence

ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
LANG_RE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")
IRI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+\Z")
PROVENANCE = ("source", "note")
#: a number field holds at most this many digits (written digits, leading zeros of the
#: whole part left out): more is no amount or share, and would cost time to compute with
MAX_DIGITS = 100
#: ... and an exponent (1e-5) of at most this size either way: exact arithmetic on
#: 1e-99999999 (the funding check) would compute 10 ** 99999999
MAX_EXPONENT = 400
_DECIMAL_RE = re.compile(r"[-+]?0*([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?)0*([0-9]+))?\Z")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset, where it is, and what would fix it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        """``path:line: message`` on one line: characters a terminal would act on or break
        the line at (a file named ``a\\n/etc/x.yaml:1: ok``) are shown escaped."""
        path = printable(self.path)
        where = f"{path}:{self.line}" if self.line is not None else path
        return f"{where}: {printable(self.message)}"


#: what a file name may hold but a line of output may not show as it is: controls, format
#: characters (direction overrides), line and paragraph separators, lone surrogates
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def printable(text: str) -> str:
    r"""``text`` with every control, format or separator character escaped (``\n`` as
    ``\u000a``); a byte that was no UTF-8 in a file name (a lone surrogate) as ``\xff``.

    >>> printable("a\nb\x1b[2J\u202e\udcff.yaml")
    'a\\u000ab\\u001b[2J\\u202e\\xff.yaml'
    """
    if text.isprintable():
        return text
    return "".join(_escaped(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


class InvalidDataset(Exception):
    """Raised with every :class:`Problem` found; nothing may be written then."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the dataset")
        self.problems = problems


@dataclass
class Facts:
    """A validated dataset in canonical form.

    ``dataset`` is the dataset block; ``sections`` maps each section name to its
    entries (dicts in schema field order; absent fields are left out, id lists are
    sorted). ``where`` maps ids to ``(file, line)``; ``kinds`` maps ids to entity kind;
    ``lines`` gives the ``(file, line)`` of each entry of ``sections``, in the same order
    (for the entries without an id: responsibilities, statements).
    """

    dataset: dict
    sections: dict[str, list[dict]]
    where: dict[str, tuple[str, int]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    #: entries brought in by ``dataset: uses:`` (by section); not part of canonical()
    used: dict[str, list[dict]] = field(default_factory=dict)
    lines: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.dataset["id"]

    @property
    def lang(self) -> str:
        return self.dataset["lang"]

    def canonical(self) -> dict:
        """Facts as one plain structure, ordered so that equal facts compare equal."""
        out: dict = {"dataset": self.dataset}
        for name, entries in self.sections.items():
            out[name] = canonical_order(name, entries)
        return out


def canonical_order(section: str, entries: list[dict]) -> list[dict]:
    """A section's entries in canonical order: by id; responsibilities (no id) by
    content; statements as written, because the order of a source's words is kept."""
    if section == "statements":
        return list(entries)
    if "id" not in SECTIONS[section].fields:
        return sorted(entries, key=lambda e: json.dumps(e, sort_keys=True, ensure_ascii=False))
    return sorted(entries, key=lambda e: e["id"])


def nearest(word: str, options, n: int = 1, cutoff: float = 0.6) -> str:
    """' (did you mean 'x'?)' for the closest option, or '' when none is close enough
    (``cutoff`` 0: always the closest, as for a closed list).

    >>> nearest("overlap", ["other", "overlap.responsibility", "gap.unmonitored"], cutoff=0)
    " (did you mean 'overlap.responsibility'?)"
    """
    options = list(options)
    # a beginning written out in full ('overlap') is nearer than any similar spelling
    found = [o for o in options if word and o.lower().startswith(word.lower())] or \
        difflib.get_close_matches(word, options, n=n, cutoff=cutoff)
    return f" (did you mean {found[0]!r}?)" if found else ""


@functools.lru_cache(maxsize=16384)  # a dataset repeats its dates: parse each once
def parse_date(text: str) -> tuple[date, date] | None:
    """First and last day covered by '2008', '2008-11' or '2008-11-06'; None if invalid."""
    m = DATE_RE.match(text)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    if year == 0:
        return None
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last)
    if not 1 <= day <= last:
        return None
    return date(year, month, day), date(year, month, day)


@functools.lru_cache(maxsize=4096)  # a dataset repeats few tags: look each up once
def valid_lang(tag: str) -> bool:
    """Well-formed BCP 47 whose primary language subtag is registered with IANA."""
    import langcodes  # here: its tables cost ~25 ms to import, and only loading needs them

    return bool(LANG_RE.match(tag)) and langcodes.tag_is_valid(tag.lower())


@functools.lru_cache(maxsize=1024)
def valid_country(code: str) -> bool:
    """An officially assigned ISO 3166-1 alpha-2 code, upper case."""
    import pycountry  # here: ~12 ms to import, and only loading needs it

    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


@functools.lru_cache(maxsize=1024)
def valid_currency(code: str) -> bool:
    """An ISO 4217 alphabetic code, upper case."""
    import pycountry

    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@functools.lru_cache(maxsize=16384)  # shares repeat: each text converted once
def _decimal_number(text: str) -> int | float | None:
    """A number field's value from its text (``17.3``, ``1e3``: 1000), None for what
    Decimal does not read (0x1F, 0o17)."""
    try:
        return _number(Decimal(text))
    except InvalidOperation:
        return None


class DatasetReader:
    """Walks the files of one dataset, collecting canonical entries and problems."""

    def __init__(self, root: Path, display: str):
        self.root = root
        self.display = display
        self.problems: list[Problem] = []
        self.defs: dict[str, tuple[str, str, int]] = {}  # id -> (kind, rel, line)
        self.refs: list[tuple[str, tuple[str, ...], str, str, int]] = []
        self.part_of: dict[str, list[str]] = {}  # id -> parents (areas, orgs, strategies)
        self.sections: dict[str, list[dict]] = {name: [] for name in SECTIONS}
        # (file, line) of each entry of ``sections``, in the same order
        self.lines: dict[str, list[tuple[str, int]]] = {name: [] for name in SECTIONS}
        self.dataset: dict | None = None
        self.dataset_at: tuple[str, int] | None = None
        self.unreadable = False
        self.plain_names: list[dict] = []  # names written as plain strings
        self.rel = ""
        self.used: dict[str, list[dict]] = {}
        self.uses_at: tuple[str, int] | None = None
        # vocabulary -> (its values, as a set), read once per load
        self.vocabularies: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}

    # -- reporting -------------------------------------------------------------
    def where(self, rel: str) -> str:
        return os.path.join(self.display, rel) if rel else self.display

    def error(self, line: int | None, message: str, rel: str | None = None) -> None:
        self.problems.append(Problem(self.where(self.rel if rel is None else rel), line, message))

    # -- files -----------------------------------------------------------------
    def files(self) -> list[tuple[str, Path]]:
        """The dataset's ``*.yaml`` files as (relative path, path), in sorted path order.

        A link (symlink) to a file inside the dataset folder is read like the file; a link
        leading out of the folder is refused, unread (its target could be any file the
        user may read: its lines would be shown in the errors). Links to folders are not
        followed.
        """
        if self.root.is_file():
            return [("", self.root)]
        top = self.root.resolve()
        found, outside = [], []
        for p in self.root.rglob("*.yaml"):  # ** does not follow links to folders
            if not p.is_file():
                continue
            rel = p.relative_to(self.root).as_posix()
            if p.is_symlink() and not p.resolve().is_relative_to(top):
                outside.append(rel)
            else:
                found.append((rel, p))
        for rel in sorted(outside):
            self.error(None, "a link to a file outside the dataset folder: not read (a "
                       "dataset reads only files inside its folder; links to files inside "
                       "it are allowed)", rel)
            self.unreadable = True  # it may be meant to hold the dataset block
        return sorted(found)  # "sorted path order": the relative paths as strings

    def run(self, workers: int | None = None) -> Facts:
        files = self.files()
        if not self.read_parallel(files, workers):
            for rel, path in progress(files, "load") if len(files) > 1 else files:
                self.rel = rel
                self.read_file(path)
        self.rel = ""
        if self.dataset is None and not self.unreadable:
            self.error(
                None,
                "no file holds a 'dataset:' block; add one with id, title and lang, "
                "and 'format: 1' beside it",
            )
        if self.dataset and self.dataset.get("uses"):
            self.use(self.dataset["uses"])  # before references are resolved
        self.check_refs()
        # checked: let them go before the collector, back on, walks what is left
        self.refs = []
        self.check_cycles()
        if self.problems:
            order = {self.where(rel): n for n, (rel, _) in enumerate(files)}
            self.problems.sort(key=lambda p: (order.get(p.path, -1), p.line or 0))
            raise InvalidDataset(self.problems)
        facts = Facts(self.dataset or {}, self.sections, files=[r for r, _ in files],
                      used=self.used, lines=self.lines)
        for ident, (kind, rel, line) in self.defs.items():
            facts.where[ident] = (rel, line)
            facts.kinds[ident] = kind
        return facts

    def read_parallel(self, files: list[tuple[str, Path]], workers: int | None) -> bool:
        """Read the files in worker processes and merge what they found, in file order.

        Only a clean dataset is read this way: each worker validates its files on their
        own, so what needs every file (a second dataset block, an id defined in two
        files) and the exact order of problems come from the serial pass. When any
        worker finds a problem, or two parts clash, this returns False having changed
        nothing, and the caller reads the files again one by one.
        """
        workers = workers_for(files, workers)
        if workers < 2:
            return False
        parts = _read_in_workers(self.root, self.display, files, workers)
        if parts is None:  # a file with a problem, or no pool
            return False
        if sum(part.dataset_at is not None for part in parts) > 1:
            return False
        defs: dict[str, tuple[str, str, int]] = {}
        for part in parts:
            for ident, where in part.defs.items():
                if ident in defs:
                    return False
                defs[ident] = where
        self.defs = defs
        for part in parts:
            if part.dataset_at is not None:
                self.dataset, self.dataset_at = part.dataset, part.dataset_at
                self.uses_at = part.uses_at
            self.refs.extend(part.refs)
            self.part_of.update(part.part_of)
            for name, entries in part.sections.items():
                self.sections[name].extend(entries)
                self.lines[name].extend(part.lines[name])
            self.plain_names.extend(part.plain_names)
        return True

    def read_file(self, path: Path) -> None:
        try:
            text = yamlread.decode(yamlread.read_bytes(path))
            root, problems = yamlread.read(text)
        except yamlread.YamlError as exc:
            self.error(exc.line, exc.message)
            self.unreadable = True  # it may hold the dataset block: do not claim none exists
            return
        except OSError as exc:
            self.error(None, f"cannot read the file: {exc.strerror}")
            self.unreadable = True
            return
        for exc in problems:
            self.error(exc.line, exc.message)
        if root is None or (isinstance(root, Scalar) and root.value is None):
            return
        if not isinstance(root, Mapping):
            self.error(root.line, "the file must hold a mapping of sections (key: value)")
            return
        self.top_level(root)

    def top_level(self, root: Mapping) -> None:
        fmt = root.get("format")
        if "dataset" in root:
            line = root.key_lines["dataset"]
            if self.dataset_at is not None:
                first = f"{self.where(self.dataset_at[0])}:{self.dataset_at[1]}"
                self.error(line, f"a second 'dataset:' block (the first is at {first}); "
                           "a dataset has exactly one")
            else:
                self.dataset_at = (self.rel, line)
                if fmt is None or not self.format_ok(fmt):
                    shown = "missing" if fmt is None else _format_shown(fmt)
                    self.error(line, f"'format: {FORMAT_VERSION}' is required beside "
                               f"'dataset:' (format is {shown})")
                self.dataset = self.entry(DATASET, root["dataset"], line) or {}
        elif fmt is not None and not self.format_ok(fmt):
            self.error(root.key_lines["format"], f"format {_format_shown(fmt)} is not supported; "
                       f"this version reads 'format: {FORMAT_VERSION}'")
        for key, node in root.items():
            line = root.key_lines[key]
            if key in ("format", "dataset"):
                continue
            if key not in SECTIONS:
                self.error(line, f"unknown section {key!r}{nearest(key, TOP_LEVEL)}; "
                           f"sections are: {', '.join(SECTIONS)}")
                continue
            self.section(key, node, line)

    @staticmethod
    def format_ok(node) -> bool:
        return isinstance(node, Scalar) and node.value == FORMAT_VERSION and \
            type(node.value) is int

    def section(self, name: str, node, line: int) -> None:
        if isinstance(node, Scalar) and node.value is None:
            return
        if not isinstance(node, Sequence):
            self.error(line, f"section {name!r} must be a list of entries "
                       "(each starting with '- ')")
            return
        schema = SECTIONS[name]
        kept, lines = self.sections[name], self.lines[name]
        for item in node:
            entry = self.entry(schema, item)
            if entry is not None:
                kept.append(entry)
                lines.append((self.rel, item.line))

    # -- entries ---------------------------------------------------------------
    def entry(self, schema: Schema, node, at: int | None = None) -> dict | None:
        """Validate one mapping against ``schema``; return its canonical dict.

        ``at`` is the line of a block's key (``dataset:``, ``funding:``): a missing field
        is reported there; a list entry's own first line serves otherwise.
        """
        if not isinstance(node, Mapping):
            line = node.line if node is not None else None
            self.error(line, f"expected {article(schema.kind)} entry (a mapping of fields), "
                       f"got {_describe(node)}")
            return None
        plan = _PLANS.get(id(schema))
        if plan is None or plan[0] is not schema:
            plan = _plan(schema)
        _, allowed_keys, fields = plan
        key_lines = node.key_lines
        if not allowed_keys.issuperset(node):
            allowed = schema.fields
            for key in node:
                if key in allowed or (schema.provenance and key in PROVENANCE):
                    continue
                names = list(allowed) + (list(PROVENANCE) if schema.provenance else [])
                self.error(key_lines[key], f"unknown field {key!r} in {article(schema.kind)}"
                           f"{nearest(key, names)}; fields are: {', '.join(names)}")
        out: dict = {}
        for name, spec, convert in fields:
            value = node.get(name)
            if value is None or (isinstance(value, Scalar) and value.value is None):
                if spec.required:
                    self.error(at or node.line, f"{article(schema.kind)} needs {name!r}")
                continue
            converted = convert(self, spec, value, name, key_lines[name])
            if converted is None:
                continue
            if isinstance(converted, list) and not converted:  # an empty list: left out
                if spec.required and spec.type == "refs":
                    self.error(value.line, f"{article(schema.kind)} needs {name!r}: the list "
                               "is empty")
            else:
                out[name] = converted
        if schema.kind == "funding":
            self.check_funding(node, out, at)
        if schema.provenance:
            src = node.get("source")
            if src is not None and not (isinstance(src, Scalar) and src.value is None):
                sources = self.id_list(src, "source", _SOURCES.targets)
                if sources:
                    out["source"] = sources
                elif sources == [] and schema.source_required:
                    self.error(src.line, f"{article(schema.kind)} needs 'source': the list "
                               "is empty")
            elif schema.source_required:
                self.error(at or node.line, f"{article(schema.kind)} needs 'source' (the id "
                           "of the document it quotes)")
            note = node.get("note")
            if note is not None and not (isinstance(note, Scalar) and note.value is None):
                text = self._text(_NOTE, note, "note", node.key_lines["note"])
                if text is not None:
                    out["note"] = text
        if "id" in out:
            self.define(out["id"], schema.kind, node.line)
        if "part_of" in out and "id" in out:
            parents = out["part_of"]
            self.part_of[out["id"]] = parents if isinstance(parents, list) else [parents]
        return out

    def use(self, uses: list[str]) -> None:
        """Define the ids of the used reference sets (read only when a dataset uses one)."""
        from .reference import REFERENCE_BASE, ReferenceError, used_entries

        rel, line = self.uses_at or self.dataset_at or ("", None)
        if self.dataset.get("base") == REFERENCE_BASE:  # own and used IRIs would be one
            self.error(line, f"a dataset that uses reference sets needs a base other than "
                       f"{REFERENCE_BASE} (where the used areas are minted)", rel)
            return
        try:
            self.used = used_entries(uses)
        except ReferenceError as exc:
            self.error(line, f"cannot read the reference sets: {'; '.join(exc.problems)}", rel)
            return
        for section, entries in self.used.items():
            kind = SECTIONS[section].kind
            for entry in entries:
                ident = entry["id"]
                if ident in self.defs:
                    _, own_rel, own_line = self.defs[ident]
                    self.error(own_line, f"id {ident!r} is also an id of the reference areas "
                               f"this dataset uses ({self.where(rel)}:{line}); rename yours or "
                               "name the reference entry instead of defining it", own_rel)
                    continue
                self.defs[ident] = (kind, "uses", 0)

    def define(self, ident: str, kind: str, line: int) -> None:
        if ident in self.defs:
            _, rel, first = self.defs[ident]
            self.error(line, f"id {ident!r} is defined twice (first at "
                       f"{self.where(rel)}:{first}); ids are unique across the dataset")
            return
        self.defs[ident] = (kind, self.rel, line)

    def value(self, spec: Field, node, name: str, line: int):
        """Convert one field's node to its canonical value, or report why not."""
        convert = _CONVERT.get(spec.type)
        if convert is None:  # pragma: no cover - schema and reader out of step
            raise AssertionError(spec.type)
        return convert(self, spec, node, name, line)

    # One converter per field type (spec, node, name, line of the field's key), found in
    # _CONVERT: an entry's fields are many, and a table finds a type's code at once.
    def _nested(self, spec: Field, node, name: str, line: int):
        kind = spec.type
        want = Sequence if kind == "list" else Mapping
        if not isinstance(node, want):
            shape = "a list of entries" if kind == "list" else "a mapping of fields"
            self.error(node.line, f"{name!r} must be {shape}, got {_describe(node)}")
            return None
        if kind == "map":
            return self.entry(spec.sub, node, line)
        items = [self.entry(spec.sub, item) for item in node]
        return [i for i in items if i is not None]

    def _names(self, spec: Field, node, name: str, line: int):
        return self.names(node, name)

    def _period(self, spec: Field, node, name: str, line: int):
        kind = spec.type
        if kind == "when" and isinstance(node, Scalar):
            return self.date(node, name)
        period = self.period(node, name)
        if kind == "when" and period and period.get("from") == period.get("to"):
            return period["from"]  # one day written as a period is that day
        return period

    def _codes(self, spec: Field, node, name: str, line: int):
        return self.codes(node, name)

    def _uses(self, spec: Field, node, name: str, line: int):
        return self.uses(node, name, line)

    def _texts(self, spec: Field, node, name: str, line: int):
        return self.texts(node, name)

    def _refs(self, spec: Field, node, name: str, line: int):
        return self.id_list(node, name, spec.targets)

    def _not_single(self, spec: Field, node, name: str) -> None:
        expect = "one id" if spec.type in ("ref", "author") else "a single value"
        self.error(node.line, f"{name!r} must be {expect}, got {_describe(node)}")

    def _id(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        if not ID_RE.match(text):
            self.error(node.line, f"id {text!r} is not valid: use lowercase ASCII letters "
                       "and digits in groups joined by single '-' (like 'lapin-liitto')")
            return None
        return text

    def _ref(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        self.refs.append((text, spec.targets, name, self.rel, node.line))
        return text

    def _text(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        if not text.strip():
            self.error(node.line, f"{name!r} is empty")
            return None
        return text

    def _enum(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        known = self.vocabularies.get(spec.vocab)
        if known is None:  # once per load: the checks' names are read from their folder
            values = vocabulary(spec.vocab)
            known = self.vocabularies[spec.vocab] = (values, frozenset(values))
        if text not in known[1]:
            values = known[0]
            self.error(node.line, f"{name} {text!r} is not one of {', '.join(values)}"
                       f"{nearest(text, values, cutoff=0)}")
            return None
        return text

    def _date(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        return self.date(node, name)

    def _number(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        return self.number(node, name, integer=spec.type == "count")

    def _country(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        if not valid_country(text):
            import pycountry

            hint = nearest(text.upper()[:2], [c.alpha_2 for c in pycountry.countries])
            self.error(node.line, f"country {text!r} is not an ISO 3166-1 alpha-2 code in "
                       f"upper case (FI, SE, NO){hint}")
            return None
        return text

    def _lang(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        if not valid_lang(text):
            self.error(node.line, f"language tag {text!r} is not valid BCP 47 "
                       "(use fi, sv, en, se, smn, nb…)")
            return None
        return text.lower()

    def _currency(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        if not valid_currency(text):
            self.error(node.line, f"currency {text!r} is not an ISO 4217 code (like EUR, SEK)")
            return None
        return text

    def _iri(self, spec: Field, node, name: str, line: int):
        if not isinstance(node, Scalar):
            return self._not_single(spec, node, name)
        text = node.text
        problem = _iri_problem(text, base=name == "base")
        if problem:
            self.error(node.line, f"{name} {_short(text, 200)} {problem}")
            return None
        return text

    def names(self, node, name: str) -> dict | None:
        if isinstance(node, Scalar):
            if not node.text.strip():
                self.error(node.line, f"{name!r} is empty")
                return None
            plain = {"": node.text}  # the dataset language, filled in by load_facts
            self.plain_names.append(plain)
            return plain
        if not isinstance(node, Mapping):
            self.error(node.line, f"{name!r} must be a string or a map of language tags to "
                       f"strings, got {_describe(node)}")
            return None
        out = {}
        for tag, value in node.items():
            line = node.key_lines[tag]
            if not valid_lang(tag):
                self.error(line, f"language tag {tag!r} in {name!r} is not valid BCP 47 "
                           "(use fi, sv, en, se, smn, nb…)")
                continue
            if not isinstance(value, Scalar) or value.value is None or not value.text.strip():
                self.error(line, f"{name!r} in {tag!r} must be a non-empty string")
                continue
            if tag.lower() in out:
                self.error(line, f"language {tag!r} given twice in {name!r}")
                continue
            out[tag.lower()] = value.text
        if not out and not node:
            self.error(node.line, f"{name!r} is an empty map")
        return out or None

    def date(self, node, name: str) -> str | None:
        if not isinstance(node, Scalar):
            self.error(node.line, f"{name!r} must be a date like 2008, 2008-11 or 2008-11-06")
            return None
        if parse_date(node.text) is None:
            self.error(node.line, f"{name} {node.text!r} is not a real date; write 2008, "
                       "2008-11 or 2008-11-06")
            return None
        return node.text

    def period(self, node, name: str) -> dict | None:
        if not isinstance(node, Mapping):
            self.error(node.line, f"{name!r} must be a period like {{from: 2007, to: 2013}}, "
                       f"got {_describe(node)}")
            return None
        out = {}
        for key in node:
            if key not in ("from", "to"):
                self.error(node.key_lines[key], f"a period takes only 'from' and 'to', not "
                           f"{key!r}{nearest(key, ('from', 'to'))}")
        for key in ("from", "to"):
            value = node.get(key)
            if value is None or (isinstance(value, Scalar) and value.value is None):
                continue
            if isinstance(value, Scalar) and parse_date(value.text) is not None:
                text = value.text  # what date() returns for a real date
            else:
                text = self.date(value, f"{name}.{key}")
            if text is not None:
                out[key] = text
        if "from" in out and "to" in out:
            if parse_date(out["to"])[1] < parse_date(out["from"])[0]:
                self.error(node.key_lines["to"], f"period ends ({out['to']}) before it starts "
                           f"({out['from']})")
                return None
        return out or None

    def codes(self, node, name: str) -> dict | None:
        if not isinstance(node, Mapping):
            self.error(node.line, f"{name!r} must be a map of code scheme to code, like "
                       f"{{municipality: \"273\"}}, got {_describe(node)}")
            return None
        out = {}
        for scheme, value in node.items():
            line = node.key_lines[scheme]
            if scheme in PROVENANCE:
                self.error(line, f"{scheme!r} is not allowed inside {name!r}; put it on the "
                           "entry that holds the codes")
            elif not scheme.strip() or not re.fullmatch(r"[A-Za-z0-9_.-]+", scheme):
                self.error(line, f"code scheme {scheme!r} may use letters, digits, '-', '_', '.'")
            elif not isinstance(value, Scalar) or value.value is None:
                self.error(line, f"code {scheme!r} must be a single value")
            elif scheme in REGISTER_SCHEMES:  # a register id: checked, check digit included
                try:
                    written = check_register_id(scheme, value.text)
                except ValueError as exc:
                    self.error(line, str(exc))
                    continue
                if written != value.text:
                    self.error(line, f"{scheme} {value.text!r}: write it as {written!r}")
                    continue
                out[scheme] = value.text
            else:
                out[scheme] = value.text
        return out or None

    def texts(self, node, name: str) -> list[str] | None:
        if not isinstance(node, (Scalar, Sequence)):
            self.error(node.line, f"{name!r} must be a list of strings, got {_describe(node)}")
            return None
        items = [node] if isinstance(node, Scalar) else node
        out: dict[str, int] = {}
        for item in items:
            if not isinstance(item, Scalar) or item.value is None or not item.text.strip():
                self.error(item.line, f"each of {name!r} must be a non-empty string, got "
                           f"{_describe(item)}")
            elif item.text in out:
                self.error(item.line, f"{item.text!r} is listed twice in {name!r} (first at "
                           f"line {out[item.text]})")
            else:
                out[item.text] = item.line
        return sorted(out) or None

    def uses(self, node, name: str, line: int) -> list[str] | None:
        from .reference import USES

        self.uses_at = (self.rel, line)
        items = [node] if isinstance(node, Scalar) else node
        if not isinstance(items, Sequence) and not isinstance(node, Scalar):
            self.error(node.line, f"{name!r} must be a list of reference sets, like "
                       f"[reference/fi], got {_describe(node)}")
            return None
        out: list[str] = []
        for item in items:
            text = item.text if isinstance(item, Scalar) and item.value is not None else None
            if text not in USES:
                shown = repr(text) if text is not None else _describe(item)
                self.error(item.line, f"{name}: {shown} is not a reference set"
                           f"{nearest(text or '', USES)}; use {', '.join(USES)}")
            elif text in out:
                self.error(item.line, f"{text!r} is listed twice in {name!r}")
            else:
                out.append(text)
        return sorted(out)

    def number(self, node: Scalar, name: str, integer: bool) -> int | float | None:
        value = node.value
        if value.__class__ is int and value >= 0 and len(node.text) <= _SHORT:
            return value  # most amounts: what the checks below would let through as it is
        too_large = _out_of_bounds(node)
        if too_large:
            self.error(node.line, f"{name} {_short(node.text)}: {too_large}")
            return None
        # a plain number or one tagged !!int / !!float; a quoted "70" is text
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and integer:
            ok = isinstance(value, int)
        if ok and not isinstance(value, int):
            ok = math.isfinite(value)
        if not ok or value < 0:
            what = "a whole number" if integer else "a number"
            self.error(node.line, f"{name} {node.text!r} must be {what} >= 0 "
                       "(write 87000, not '87 000 €'; put the unit in 'currency')")
            return None
        if value.__class__ is int:  # what Decimal(text) would give back
            return value
        text = node.text
        found = _decimal_number(text) if len(text) <= _CACHED else \
            _decimal_number.__wrapped__(text)
        return int(value) if found is None else found

    def id_list(self, node, name: str, targets: tuple[str, ...]) -> list[str] | None:
        items = [node] if isinstance(node, Scalar) else node
        if not isinstance(items, Sequence) and not isinstance(node, Scalar):
            self.error(node.line, f"{name!r} must be an id or a list of ids, got {_describe(node)}")
            return None
        seen: dict[str, int] = {}
        refs, rel = self.refs, self.rel
        for item in items:
            if not isinstance(item, Scalar) or item.value is None:
                self.error(item.line, f"{name!r} must list ids, got {_describe(item)}")
                continue
            text = item.text
            if text in seen:
                self.error(item.line, f"{text!r} is listed twice in {name!r} "
                           f"(first at line {seen[text]})")
                continue
            seen[text] = item.line
            refs.append((text, targets, name, rel, item.line))
        return sorted(seen) if len(seen) > 1 else list(seen)

    def check_funding(self, node: Mapping, out: dict, at: int | None) -> None:
        sources = node.get("sources")
        has_sources = isinstance(sources, Sequence) and len(sources) > 0
        total = node.get("total")
        total_value = out.get("total")
        if total_value is not None and total_value <= 0:
            self.error(total.line, f"funding total {total.text!r} must be greater than 0")
            return
        if not has_sources:
            return
        if total_value is None:
            if total is None or (isinstance(total, Scalar) and total.value is None):
                self.error(at or node.line, "a funding block with 'sources' needs 'total'")
            return
        exact_total = _exact(total)
        if exact_total is None:
            return
        amounts = []
        for item in sources:
            amount = item.get("amount") if isinstance(item, Mapping) else None
            exact = _exact(amount)
            if exact is None:
                return
            amounts.append(exact)
            share = item.get("share")
            exact_share = _exact(share)
            if exact_share is None:
                continue
            # |100 * amount / total - share| > 1/2, in integers: the same test as with
            # Fractions, without making four of them for every source
            an, ad = exact.as_integer_ratio()
            tn, td = exact_total.as_integer_ratio()  # tn > 0: the total is
            sn, sd = exact_share.as_integer_ratio()  # greater than 0 here
            if 2 * abs(100 * an * td * sd - sn * ad * tn) > ad * tn * sd:
                computed = Fraction(100 * exact) / exact_total
                if abs(computed - exact_share) > Fraction(1, 2):
                    self.error(share.line, f"share {share.text} does not match amount "
                               f"{amount.text} of total {total.text} "
                               f"({float(computed):.2f} %); they may differ by 0.5 points")
        if len(amounts) == len(sources) and sum(amounts) != exact_total:
            added = _fmt(sum(amounts))
            self.error(total.line, f"funding amounts add up to {added}, not to the total "
                       f"{total.text}; correct the amounts or the total")

    # -- whole-dataset checks ----------------------------------------------------
    def check_refs(self) -> None:
        kinds = {ident: found[0] for ident, found in self.defs.items()}
        # every reference at once in C loops (an unknown id's kind is None, in no targets);
        # only when one is wrong are they gone through one by one, to say which and why
        if all(map(contains, map(itemgetter(1), self.refs),
                   map(kinds.get, map(itemgetter(0), self.refs)))):
            return
        for ident, targets, name, rel, line in self.refs:
            found = self.defs.get(ident)
            if found is None:
                pool = [i for i, d in self.defs.items() if d[0] in targets]
                kinds = "entry" if targets == ENTITIES else " or ".join(targets)
                hint = nearest(ident, pool)
                if not hint and targets == ENTITIES:
                    hint = " (no section defines it; check the spelling)"
                elif not hint:
                    sections = dict.fromkeys(KIND_SECTION[t] for t in targets)
                    where = " or ".join(f"'{name}:'" for name in sections)
                    known = f"; known: {', '.join(sorted(pool))}" if 0 < len(pool) <= 6 else ""
                    hint = f" (define it under {where}{known})"
                self.error(line, f"{name}: no {kinds} with id {ident!r}{hint}", rel)
            elif found[0] not in targets:
                kinds = " or ".join(article(t) for t in targets)
                self.error(line, f"{name}: {ident!r} is {article(found[0])}, expected {kinds}",
                           rel)

    def check_cycles(self) -> None:
        """Report each part_of cycle once, at its entry that comes first in the files."""
        state: dict[str, int] = {}
        order = {i: n for n, i in enumerate(self.defs)}
        for start in self.part_of:
            if state.get(start):
                continue
            path: list[str] = []
            stack = [(start, iter(self.part_of.get(start, ())))]
            state[start] = 1
            path.append(start)
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    continue
                if child not in self.part_of:
                    continue
                if state.get(child) == 1:
                    cycle = path[path.index(child):]
                    first = min(cycle, key=order.__getitem__)
                    kind, rel, line = self.defs[first]
                    ring = " → ".join([*cycle[cycle.index(first):], *cycle[:cycle.index(first)],
                                       first])
                    self.error(line, f"part_of forms a cycle: {ring}", rel)
                elif not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(self.part_of.get(child, ()))))


_CONVERT = {
    "list": DatasetReader._nested, "map": DatasetReader._nested,
    "names": DatasetReader._names, "period": DatasetReader._period,
    "when": DatasetReader._period, "codes": DatasetReader._codes,
    "uses": DatasetReader._uses, "texts": DatasetReader._texts, "refs": DatasetReader._refs,
    "id": DatasetReader._id, "ref": DatasetReader._ref, "text": DatasetReader._text,
    "author": DatasetReader._text, "enum": DatasetReader._enum, "date": DatasetReader._date,
    "number": DatasetReader._number, "count": DatasetReader._number,
    "country": DatasetReader._country, "lang": DatasetReader._lang,
    "currency": DatasetReader._currency, "iri": DatasetReader._iri,
}
_SOURCES = Field("refs", targets=("source",))
_NOTE = Field("text")
_PLANS: dict[int, tuple] = {}


def _plan(schema: Schema) -> tuple[Schema, frozenset[str], list[tuple]]:
    """``schema``, the keys its entry may have, and its fields as (name, field,
    converter), kept in ``_PLANS`` by the schema's id (a schema holds a dict: no hash)."""
    keys = frozenset(schema.fields) | (frozenset(PROVENANCE) if schema.provenance
                                       else frozenset())
    fields = [(name, spec, _CONVERT.get(spec.type, _unknown_type))
              for name, spec in schema.fields.items()]
    plan = _PLANS[id(schema)] = (schema, keys, fields)
    return plan


def _unknown_type(reader, spec: Field, node, name: str, line: int):  # pragma: no cover
    raise AssertionError(spec.type)  # schema and reader out of step


#: an integer written in at most this many characters (decimal, 0x or 0o) is far inside
#: MAX_DIGITS whatever its base: it needs no bound check
_SHORT = 15


def _exact(node) -> Fraction | int | None:
    """The exact value of a numeric scalar (87000, 17.3, !!float 10), or None."""
    if not isinstance(node, Scalar):
        return None
    value = node.value
    if value.__class__ is int and len(node.text) <= _SHORT:  # most amounts: exact already
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if _out_of_bounds(node):  # refused by number(): no 10 ** 99999999 here
        return None
    if isinstance(value, int):
        return Fraction(value)
    if not math.isfinite(value):
        return None
    text = node.text
    return _decimal_fraction(text) if len(text) <= _CACHED else \
        _decimal_fraction.__wrapped__(text)


@functools.lru_cache(maxsize=16384)  # shares and amounts repeat: each text read once
def _decimal_fraction(text: str) -> Fraction | None:
    """The exact value of a decimal number's text (``17.3``: 173/10), or None."""
    try:
        return Fraction(Decimal(text))
    except InvalidOperation:
        return None


def _out_of_bounds(node: Scalar) -> str | None:
    """Why a numeric scalar is too large to compute with, or None (also for text)."""
    value = node.value
    if value.__class__ is int and len(node.text) <= _SHORT:  # the common case, at once
        return None
    if isinstance(value, BigInt):
        return f"a number of {value.digits:,} digits; at most {MAX_DIGITS} are allowed"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    text = node.text
    if isinstance(value, int) and _DECIMAL_RE.match(text) is None:  # 0x1F, 0o17
        if abs(value) >= 10**MAX_DIGITS:
            return f"a number of more than {MAX_DIGITS} digits; at most {MAX_DIGITS} are allowed"
        return None
    # the text alone decides now: a short one (a share, 17.3) is looked at once
    return _text_bounds(text) if len(text) <= _CACHED else _text_bounds.__wrapped__(text)


#: texts of at most this many characters are kept in the caches of number values
_CACHED = 64


@functools.lru_cache(maxsize=16384)
def _text_bounds(text: str) -> str | None:
    """Why a decimal number's text is too large to compute with (digits, exponent), or
    None (also for no decimal: .inf, 0x1F)."""
    m = _DECIMAL_RE.match(text)
    if m is None:
        return None
    digits = len(m.group(1)) + len(m.group(2) or "")
    if digits > MAX_DIGITS:
        return f"a number of {digits:,} digits; at most {MAX_DIGITS} are allowed"
    sign, exponent = m.group(3) or "", m.group(4) or "0"
    if len(exponent) > len(str(MAX_EXPONENT)) or int(exponent) > MAX_EXPONENT:
        shown = sign + (exponent if len(exponent) <= 20 else exponent[:20] + "…")
        return f"an exponent of {shown}; at most {MAX_EXPONENT} either way is allowed"
    return None


def _iri_problem(text: str, base: bool) -> str | None:
    """Why ``text`` cannot be an IRI field (a ``base`` is one ids are appended to), by
    the store's own rules, or None."""
    if not IRI_RE.match(text):
        return "is not an absolute IRI (like https://example.org/lapland/)"
    try:
        NamedNode(text)
    except ValueError as exc:
        return f"is not a valid IRI ({exc}); write it as RFC 3987 allows"
    if base:
        try:
            NamedNode(text + "kolari")
        except ValueError as exc:
            return (f"cannot be a base: an id appended to it is no valid IRI ({exc}); "
                    "end it in '/' (like https://example.org/lapland/)")
    return None


def _format_shown(node) -> str:
    """A ``format:`` value as a message shows it: quoted and cut, or what it is instead
    (``format: {from: 2007}`` is a mapping, no text to quote)."""
    return _short(node.text) if isinstance(node, Scalar) else _describe(node)


def _short(text: str, limit: int = 40) -> str:
    """``text`` quoted, cut to its first ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _fmt(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):g}"


def _describe(node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    if node is None:
        return "nothing"
    return f"{node.text!r}"


#: from this many bytes of YAML in several files, a dataset is read by worker processes
PARALLEL_BYTES = 4_000_000


def workers_for(files: list[tuple[str, Path]], asked: int | None) -> int:
    """How many processes read ``files``: ``asked``, or by size and the CPUs at hand."""
    if len(files) < 2:
        return 1
    if asked is not None:
        return min(asked, len(files))
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    if cpus < 2:
        return 1
    try:
        size = sum(path.stat().st_size for _, path in files)
    except OSError:
        return 1  # the serial pass reports the unreadable file
    return min(cpus, len(files)) if size >= PARALLEL_BYTES else 1


def _read_one(root: str, display: str, rel: str, path: str) -> DatasetReader:
    """Worker: one file read and validated on its own (its reader's state is the result)."""
    reader = DatasetReader(Path(root), display)
    reader.rel = rel
    with paused_gc():
        reader.read_file(Path(path))
    reader.root = None  # type: ignore[assignment]  # nothing the parent needs back
    return reader


def _read_in_workers(root: Path, display: str, files: list[tuple[str, Path]],
                     workers: int) -> list[DatasetReader] | None:
    """Each file's reader from a pool of ``workers`` processes, in file order; None as
    soon as one file has a problem, or when no pool can run here (the caller then
    reads serially)."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheapest, but not safe once other threads run (a notebook's kernel): then a
    # fork server starts clean workers; it would run a script's unguarded top level
    # again, so a script with threads reads serially
    if threading.active_count() == 1:
        method = "fork"
    elif getattr(sys.modules.get("__main__"), "__file__", None) is None:
        method = "forkserver"
    else:
        return None
    try:
        context = multiprocessing.get_context(method)
    except ValueError:  # no fork on this platform
        return None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_leave_interrupts)
    except Exception:  # noqa: BLE001 - no pool here (a daemon process): read serially
        return None
    try:
        jobs = [pool.submit(_read_one, str(root), display, rel, str(path))
                for rel, path in files]
        parts = []
        for job in progress(jobs, "load"):
            part = job.result()
            if part.problems or part.unreadable:  # the serial pass will report it: stop now
                _stop(pool)
                return None
            parts.append(part)
    except Exception:  # noqa: BLE001 - a pool that broke: the serial pass does the
        _stop(pool)  # work, raising any real bug itself
        return None
    except BaseException:  # Ctrl-C: stop now, not after the files still queued
        _stop(pool)
        raise
    pool.shutdown()
    return parts


def _leave_interrupts() -> None:
    """Worker start: Ctrl-C is the parent's to handle (it stops the workers), and the
    worker dies with its parent (Linux), so a `kill -9` of the command leaves none behind."""
    import signal

    from ..base.process import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def _stop(pool) -> None:
    """Cancel what is queued and end the workers now (no public way before Python 3.14)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown drops them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


def load_facts(path: str | os.PathLike, display: str | None = None, *,
               workers: int | None = None) -> Facts:
    """Read and validate the dataset at ``path`` (a folder, or one YAML file).

    Raises :class:`InvalidDataset` listing every problem. ``display`` is the path
    to print in messages (default: ``path`` as given). ``workers``: processes that
    read the files (default: one per CPU from ``PARALLEL_BYTES`` of YAML in several
    files, else 1); the facts and the problems are the same either way.
    Cost: one pass over the files plus O(ids + references) checks.

    >>> facts = load_facts("data/lapland")  # doctest: +SKIP
    >>> facts.sections["projects"][0]["id"]  # doctest: +SKIP
    'amo-2008'
    """
    root = Path(path)
    shown = display if display is not None else os.fspath(path)
    if not root.exists():
        raise InvalidDataset([Problem(shown, None, "no such file or folder")])
    reader = DatasetReader(root, shown)
    with paused_gc():
        facts = reader.run(workers)
    lang = facts.dataset.get("lang", "und")
    for names in reader.plain_names:  # the dataset block may come in any file: now it is known
        names[lang] = names.pop("")
    facts.dataset.setdefault("base", default_base(facts.dataset["id"]))
    return facts


__all__ = ["DatasetReader", "Facts", "InvalidDataset", "Problem", "canonical_order", "load_facts",
           "parse_date", "workers_for"]
