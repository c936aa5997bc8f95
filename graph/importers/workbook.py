"""A planner's workbook (XLSX) back into facts: the reverse of :func:`graph.export.to_workbook`.

``export --format xlsx`` writes one sheet per table of :func:`graph.export.to_tables`; a
planner edits it in Excel or LibreOffice; :func:`import_workbook` reads it back. Every
row becomes an entry again (a nested row such as ``people.posts`` joins the entry its
first column names, in the order of ``position``), every cell the type the format wants
(a number Excel stored as ``87000.0`` is 87000, a date cell ``2008-11-06``, a code
``047`` stays text), and the whole is validated by the real loader
(:func:`graph.loader.load_facts`), so what is imported is exactly what the loader accepts.

A row that cannot be imported is left out whole and reported as ``file:sheet:row:
message`` (which column, what was expected); so is every row that needs it (a row naming
a left-out row's id, a nested row of a left-out entry), never silently broken. A bad row
of ``projects.funding.sources`` leaves its project out: a funding block adds up as a whole.
Valid rows are imported. The dataset sheet must be valid, else nothing is.

Cost: reading the sheets (openpyxl, read-only), then one dump and one load of the facts
when nothing is wrong; otherwise one more per round of problems the loader finds (the rows
that name a left-out row are found without it). 10 779 rows (100 000 triples) in 1.5 s.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..base.yamlout import dump_json
from ..export import workbook_layout
from ..loader import yamlread
from ..loader.facts import InvalidDataset, load_facts, nearest, parse_date, printable
from ..model.schema import DATASET, ENTITIES, SECTIONS, Schema, article, facts_document

#: the table whose rows must stay whole with their parent entry
WHOLE = ("funding", "sources")
#: at most this many rounds of the loader; each leaves out at least one row
MAX_ROUNDS = 200


@dataclass
class ImportResult:
    """What :func:`import_workbook` read.

    ``facts``: the canonical facts (as :meth:`graph.loader.Facts.canonical` gives them, the
    shape :func:`graph.export.to_yaml` writes), or None when nothing can be imported (no
    valid dataset sheet, no readable file). ``problems``: one ``file:sheet:row: message``
    line per problem, in file, sheet and row order. ``counts``: rows imported per sheet
    (``projects``, ``people.posts``…); ``read``: data rows read (the dataset row too);
    ``left_out``: rows not imported.
    """

    facts: dict | None
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    left_out: int = 0
    read: int = 0

    @property
    def ok(self) -> bool:
        return self.facts is not None and not self.problems

    def summary(self) -> str:
        """One line for people: ``Imported 150 of 152 rows (2 left out): 6 sources, …``."""
        if self.facts is None:
            return f"Nothing imported ({self.read} rows read)."
        made = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        return (f"Imported {self.read - self.left_out} of {self.read} rows "
                f"({self.left_out} left out): {made or 'no entries'}.")


# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Table:
    """One sheet of the workbook: the rows of a section, the dataset block, or a nested
    list (``path`` says where its rows go in the parent entry: ``("funding", "sources")``)."""

    name: str
    section: str
    schema: Schema
    path: tuple[str, ...] = ()


def tables() -> dict[str, Table]:
    """Every table of the workbook by sheet name, in the order export writes them."""
    found = {"dataset": Table("dataset", "dataset", DATASET)}
    for section, schema in SECTIONS.items():
        found[section] = Table(section, section, schema)
        for path, sub in _lists(schema):
            name = ".".join((section, *path))
            found[name] = Table(name, section, sub, path)
    return found


def _lists(schema: Schema, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Schema]]:
    out = []
    for name, spec in schema.fields.items():
        if spec.type == "list":
            out.append(((*prefix, name), spec.sub))
        elif spec.type == "map":
            out += _lists(spec.sub, (*prefix, name))
    return out


# --------------------------------------------------------------------------- cells


class Bad(ValueError):
    """A cell that cannot be the value its column wants; the message says what was expected."""


class _Formula(str):
    pass


class _Failed(str):
    pass


class _DateCell:
    __slots__ = ("value", "format")

    def __init__(self, value, number_format: str | None):
        self.value = value
        self.format = number_format or "General"


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(text: str) -> str:
    """A text cell's text as it was exported: ``_xHHHH_`` decoded, one leading ``'``
    removed (see :func:`graph.export.workbook_text`).

    >>> cell_text("'-kylä"), cell_text("''quoted'"), cell_text("a_x000D_b_x005F_x0041_")
    ('-kylä', "'quoted'", 'a\\rb_x0041_')
    """
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text[1:] if text.startswith("'") else text


def _raw(cell):
    """The value of an openpyxl cell: text (decoded), int, float, bool, a date cell, a
    formula or an error, None for an empty cell (whitespace only counts as empty)."""
    value = cell.value
    if value is None:
        return None
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        return _Formula(str(getattr(value, "text", value)))
    if kind == "e":
        return _Failed(str(value))
    if isinstance(value, str):
        text = cell_text(value)
        return text if text.strip() else None
    if isinstance(value, (datetime, date, time)) or kind == "d":
        return _DateCell(value, getattr(cell, "number_format", None))
    return value


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _date_of(cell: _DateCell) -> str:
    """A date cell as the format writes dates: its number format says how much of the
    date was typed (``yyyy`` a year, ``mmm yy`` a month, anything with days a day)."""
    value = cell.value
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise Bad(f"{value.isoformat(' ')} is a date with a time of day; write a date "
                      "(YYYY, YYYY-MM or YYYY-MM-DD)")
        value = value.date()
    if not isinstance(value, date):
        raise Bad(f"{value} is a time or a duration, not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    shape = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", cell.format.lower())
    if "d" in shape or shape in ("general", ""):
        return value.isoformat()
    if "m" in shape:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}"


def _refuse_special(value) -> None:
    if isinstance(value, _Formula):
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise Bad(f"a formula ({shown}); the import reads values, not formulas: type the "
                  "value (a text that starts with = needs a ' in front)")
    if isinstance(value, _Failed):
        raise Bad(f"the cell shows an error ({value}); type the value")
    if isinstance(value, bool):
        raise Bad(f"{'TRUE' if value else 'FALSE'} is a truth value; this column takes "
                  "no truth values")


def to_text(value) -> str:
    """A cell as text: numbers as written (``2008``, ``17.3``), a date cell as a date."""
    _refuse_special(value)
    if isinstance(value, str):
        return value
    if isinstance(value, _DateCell):
        return _date_of(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Bad(f"{value} is not a value")
        return _plain(value)
    raise Bad(f"{value!r} is not a value this column takes")  # pragma: no cover


def to_date(value) -> str:
    """A cell as a date of the format: ``2008``, ``2008-11`` or ``2008-11-06``."""
    text = to_text(value)
    if parse_date(text) is None:
        raise Bad(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return text


_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([-+]?[0-9]+))?\Z")


def to_number(value) -> int | float:
    """A cell as a number: whole numbers as int (``87000.0`` is 87000), others as the
    float typed; a text cell holding a plain number is read as that number."""
    _refuse_special(value)
    if isinstance(value, _DateCell):
        raise Bad(f"a date ({_date_of(value)}), not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Bad(f"{value} is not a number")
        return int(value) if value.is_integer() else value
    text = value.strip()
    m = _NUMBER.match(text)
    if not m or len(text) > 120 or (m.group(1) and abs(int(m.group(1))) > 400):
        raise Bad(f"{value!r} is not a number (write 87000 or 17.3: digits, no spaces, "
                  "no units)")
    try:
        exact = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern is Decimal's
        raise Bad(f"{value!r} is not a number") from None
    return int(exact) if exact == exact.to_integral_value() else float(exact)


_ID_SPLIT = re.compile(r"[\s,;]+")


def to_ids(value) -> list[str]:
    """A cell of ids: separated by spaces (as exported), commas or semicolons."""
    return [i for i in _ID_SPLIT.split(to_text(value)) if i]


_BACKSLASHED = re.compile(r"\\([\\nr])")


def to_texts(value) -> list[str]:
    r"""A cell of texts (``alt_names``): one a line, ``\\``, ``\n``, ``\r`` decoded
    (see :func:`graph.export.workbook_texts`); blank lines are skipped."""
    lines = to_text(value).replace("\r\n", "\n").split("\n")
    decoded = [_BACKSLASHED.sub(lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), "\\"), line)
               for line in lines]
    return [t for t in decoded if t.strip()]


_CONVERT = {"date": to_date, "period": to_date, "when": to_date, "number": to_number,
            "count": to_number, "refs": to_ids, "uses": to_ids, "texts": to_texts}


def column(table: Table, header: str):
    """``(path in the entry, converter)`` for a column of ``table``, or None when the
    column is no field of its entries. ``name.fi`` is ``(("name", "fi"), to_text)``."""
    schema = table.schema
    path: tuple[str, ...] = ()
    rest = header
    while True:
        head, dot, rest = rest.partition(".")
        if schema.provenance and head in ("source", "note") and not dot:
            return (*path, head), (to_ids if head == "source" else to_text)
        spec = schema.fields.get(head)
        if spec is None or spec.type == "list":
            return None
        path = (*path, head)
        if spec.type == "map":
            if not dot:
                return None
            schema = spec.sub
            continue
        if spec.type in ("names", "codes"):
            if spec.type == "codes" and not rest:
                return None
            return ((*path, rest) if dot else path), to_text
        if spec.type in ("period", "when"):
            if dot and rest in ("from", "to"):
                return (*path, rest), to_date
            if spec.type == "when" and not dot:
                return path, to_date
            return None
        if dot:
            return None
        return path, _CONVERT.get(spec.type, to_text)


# --------------------------------------------------------------------------- rows


@dataclass(eq=False)
class Row:
    """One data row of a sheet, as an entry (its nested rows in ``children``)."""

    file: int
    display: str
    table: Table
    number: int
    entry: dict
    parent: str | None = None  # the parent entry's id (nested rows)
    position: float = float("inf")
    children: dict[str, list[Row]] = field(default_factory=dict)
    up: Row | None = None
    alive: bool = True

    @property
    def where(self) -> str:
        return f"{self.table.name}:{self.number}"

    @property
    def key(self) -> str | None:
        ident = self.entry.get("id")
        return ident if isinstance(ident, str) else None

    def full(self) -> dict:
        """The entry with its living nested rows, as the facts format writes it."""
        if not self.children:
            return self.entry
        out = _copy(self.entry)
        for path, rows in self.children.items():
            kept = [r.full() for r in rows if r.alive]
            if kept:
                target = out
                for key in path.split(".")[:-1]:
                    target = target.setdefault(key, {})
                target[path.split(".")[-1]] = kept
        return out


def _copy(entry: dict) -> dict:
    return {k: (_copy(v) if isinstance(v, dict) else v) for k, v in entry.items()}


class _Report:
    """Problems with the place they sort by (file, sheet, row)."""

    def __init__(self, files: list[str]):
        self.files = files
        self.sheets = {name: n for n, name in enumerate(tables())}
        self.items: list[tuple[tuple, str]] = []

    def add(self, file: int, message: str, sheet: str | None = None,
            row: int | None = None, col: str | None = None) -> None:
        where = printable(self.files[file])
        if sheet is not None:
            where += f":{printable(sheet)}"
        if row is not None:
            where += f":{row}"
        if col is not None:
            message = f"column {printable(col)!r}: {message}"
        key = (file, self.sheets.get(sheet, -1 if sheet is None else len(self.sheets)),
               row or 0, len(self.items))
        self.items.append((key, f"{where}: {printable(message)}"))

    def at(self, row: Row, message: str, col: str | None = None) -> None:
        self.add(row.file, message, row.table.name, row.number, col)

    def lines(self) -> list[str]:
        return [text for _, text in sorted(self.items)]


def _read_sheet(report: _Report, file: int, table: Table, sheet, rows: list[Row]) -> None:
    """The data rows of one sheet as Rows; a bad row is reported and left out."""
    it = sheet.iter_rows()
    header_cells = next(it, None)
    if header_cells is None:
        return
    columns = []
    seen: dict[str, int] = {}
    for n, cell in enumerate(header_cells):
        raw = _raw(cell)
        name = raw.strip() if isinstance(raw, str) else (None if raw is None else str(raw))
        if name is None:
            columns.append((None, None, "a column without a name in row 1"))
        elif name in seen:
            columns.append((name, None, f"the column {name!r} appears twice in row 1 "
                                        f"(columns {seen[name] + 1} and {n + 1})"))
        else:
            seen[name] = n
            columns.append((name, *_header(table, name)))
    unknown: dict[int, list[int]] = {}
    for number, cells in enumerate(it, 2):
        values = [_raw(c) for c in cells]
        if all(v is None for v in values):
            continue
        entry: dict = {}
        problems = []
        parent = None
        position = float("inf")
        for n, value in enumerate(values):
            if value is None:
                continue
            if n >= len(columns):
                unknown.setdefault(n, []).append(number)
                continue
            name, target, why = columns[n]
            if target is None:
                unknown.setdefault(n, []).append(number)
                continue
            try:
                if target == "parent":
                    parent = to_text(value).strip()
                elif target == "position":
                    position = to_number(value)
                elif target != "ignore":
                    path, convert = target
                    _put(entry, path, convert(value), name)
            except Bad as exc:
                problems.append((name, str(exc)))
        if table.path and parent is None:
            problems.append((table.section, f"empty; name the {SECTIONS[table.section].kind} "
                                            "this row belongs to (its id)"))
        row = Row(file, report.files[file], table, number, entry, parent, position)
        if any(number in r for r in unknown.values()):
            row.alive = False  # reported once for the sheet, below
        for name, message in problems:
            report.at(row, message, name)
            row.alive = False
        rows.append(row)
    for n, numbers in unknown.items():
        name, _, why = columns[n] if n < len(columns) else (None, None, "a column without "
                                                             "a name in row 1")
        shown = ", ".join(map(str, numbers[:10])) + (", …" if len(numbers) > 10 else "")
        report.add(file, f"{why}: the {len(numbers)} row(s) with a value in it are not "
                   f"imported (rows {shown})", table.name, 1, None)


def _header(table: Table, name: str) -> tuple:
    """``(target, why-not)`` for a column header: ``"parent"``, ``"position"``,
    ``"ignore"`` (``row`` of the sections without ids), ``(path, converter)``, or None
    and the reason."""
    if table.path and name == table.section:
        return "parent", None
    if table.path and name == "position":
        return "position", None
    if name == "row" and "id" not in table.schema.fields:
        return "ignore", None
    found = column(table, name)
    if found is not None:
        return found, None
    kind = article(table.schema.kind)
    template = workbook_layout()[table.name]
    return None, f"column {name!r} is no field of {kind}{nearest(name, template)}"


def _put(entry: dict, path: tuple[str, ...], value, name: str) -> None:
    target = entry
    for key in path[:-1]:
        inner = target.setdefault(key, {})
        if not isinstance(inner, dict):
            raise Bad(f"another column already gives {key!r} one value; use either {key!r} "
                      f"or {key!r}.from/.to")
        target = inner
    if path[-1] in target:
        raise Bad(f"another column already gives {'.'.join(path)!r} a value; use one")
    target[path[-1]] = value


# --------------------------------------------------------------------------- the import


def read_workbook(path: str | os.PathLike, display: str | None = None
                  ) -> tuple[dict | None, list[str]]:
    """The facts of one workbook and its problems (see :func:`import_workbook`)."""
    result = import_workbook([path], [display] if display is not None else None)
    return result.facts, result.problems


def import_workbook(files: list[str | os.PathLike], display: list[str] | None = None
                    ) -> ImportResult:
    """Read workbooks written by ``export --format xlsx`` (and edited) into facts.

    The sheets of all ``files`` are joined as the files of a facts folder are: exactly
    one holds the ``dataset`` sheet; ids are unique across them all. ``display``: the
    names to show for the files (default: as given). A sheet that is no table of the
    format, a column that is no field, a cell that is not what its column wants, and
    whatever the loader refuses are problems; the rows they touch are left out (with
    every row that needs them), the others imported. ``facts`` is None when the dataset
    sheet is missing or wrong (then nothing is imported).
    """
    shown = display or [os.fspath(f) for f in files]
    report = _Report(shown)
    known = tables()
    rows: list[Row] = []
    read_any = False
    for n, path in enumerate(files):
        try:
            book = _open(path)
        except _Unreadable as exc:
            report.add(n, str(exc))
            continue
        read_any = True
        try:
            for sheet in book.worksheets:
                table = known.get(sheet.title)
                if table is None:
                    _stray_sheet(report, n, sheet, known)
                    continue
                before = len(rows)
                try:
                    _read_sheet(report, n, table, sheet, rows)
                except (ValueError, KeyError, OSError, SyntaxError, zipfile.BadZipFile) as exc:
                    del rows[before:]  # nothing of a sheet read halfway (ParseError: Syntax)
                    report.add(n, f"the sheet cannot be read ({exc}); none of its rows is "
                               "imported", sheet.title)
        finally:
            book.close()
    if not read_any:
        return ImportResult(None, report.lines(), {}, 0, len(rows))
    datasets = [r for r in rows if r.table.name == "dataset"]
    if not datasets:
        report.add(0, "no workbook has a 'dataset' sheet with a row (id, title, lang); "
                   "nothing is imported")
        return ImportResult(None, report.lines(), {}, len(rows), len(rows))
    if len(datasets) > 1:
        for extra in datasets[1:]:
            report.at(extra, f"a second dataset row (the first is {shown[datasets[0].file]}:"
                      f"{datasets[0].where}); a dataset has exactly one: nothing is imported")
        return ImportResult(None, report.lines(), {}, len(rows), len(rows))
    if not datasets[0].alive:
        report.at(datasets[0], "the dataset row is wrong; nothing is imported")
        return ImportResult(None, report.lines(), {}, len(rows), len(rows))
    facts, kept = _assemble_and_load(report, datasets[0], [r for r in rows if r.table.name !=
                                                          "dataset"])
    counts: dict[str, int] = {}
    for row in kept:
        counts[row.table.name] = counts.get(row.table.name, 0) + 1
    counts = {name: counts[name] for name in known if name in counts}
    left = len(rows) - len(kept) - 1 if facts is not None else len(rows)
    return ImportResult(facts, report.lines(), counts, left, len(rows))


class _Unreadable(Exception):
    pass


def _open(path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not Path(path).is_file():
        raise _Unreadable("no such file" if not Path(path).exists() else "not a file")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=False)
    except OSError as exc:
        raise _Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, InvalidFileException) as exc:
        raise _Unreadable(f"not an XLSX workbook ({exc}); save it as Excel 2007-365 "
                          "(.xlsx)") from None


def _stray_sheet(report: _Report, file: int, sheet, known: dict) -> None:
    filled = sum(1 for cells in sheet.iter_rows(min_row=2)
                 if any(_raw(c) is not None for c in cells))
    if filled:
        report.add(file, f"sheet {sheet.title!r} is no table of the format"
                   f"{nearest(sheet.title, known)}; its {filled} row(s) are not imported",
                   sheet.title)


def _drop(report: _Report, row: Row, dropped: dict[str, Row]) -> None:
    """Leave ``row`` out, with its nested rows (each reported: it names the row's id)."""
    row.alive = False
    if row.key is not None:
        dropped.setdefault(row.key, row)
    for children in row.children.values():
        for child in children:
            if child.alive:
                report.at(child, f"{article(row.table.schema.kind)} {row.key!r} "
                          f"({row.where}) is not imported", row.table.section)
                _drop(report, child, dropped)


def _assemble_and_load(report: _Report, dataset: Row, rows: list[Row]
                       ) -> tuple[dict | None, list[Row]]:
    """Join nested rows to their entries, then load the facts, leaving out what the loader
    refuses, round after round, until it accepts them."""
    dropped: dict[str, Row] = {}
    tops = [r for r in rows if not r.table.path]
    owners: dict[tuple[str, str], Row] = {}
    bad_keys: dict[tuple[str, str], Row] = {}
    for row in tops:
        if row.key is not None:
            target = owners if row.alive else bad_keys
            target.setdefault((row.table.section, row.key), row)
        if not row.alive and row.key is not None:
            dropped.setdefault(row.key, row)
    whole: dict[int, tuple[Row, Row]] = {}
    nested = sorted((r for r in rows if r.table.path),
                    key=lambda r: (r.table.name, r.position, r.file, r.number))
    for child in nested:
        owner = owners.get((child.table.section, child.parent))
        where = ".".join(child.table.path)
        if owner is None:
            if child.alive:
                bad = bad_keys.get((child.table.section, child.parent))
                kind = SECTIONS[child.table.section].kind
                if bad is not None:
                    why = f"{article(kind)} {child.parent!r} ({bad.where}) is not imported"
                else:
                    ids = [k for s, k in owners if s == child.table.section]
                    why = (f"no row of sheet {child.table.section!r} has the id "
                           f"{child.parent!r}{nearest(child.parent or '', ids)}")
                report.at(child, why, child.table.section)
                child.alive = False
            if child.key is not None:
                dropped.setdefault(child.key, child)
            continue
        owner.children.setdefault(where, []).append(child)
        child.up = owner
        if not child.alive:
            if child.key is not None:
                dropped.setdefault(child.key, child)
            if child.table.path == WHOLE:
                whole.setdefault(id(owner), (owner, child))
    for owner, child in whole.values():  # once every nested row has joined its entry
        report.at(owner, f"not imported: its row {child.where} is bad (a funding block is "
                  "imported whole)")
        _drop(report, owner, dropped)
    _cascade(report, tops, dropped)
    refused = False  # once the loader refused something, write a field a line at once
    with tempfile.TemporaryDirectory(prefix="regiograph-workbook-") as tmp:
        target = Path(tmp) / "facts.yaml"
        for _ in range(MAX_ROUNDS):
            order = {section: [r for r in tops if r.alive and r.table.section == section]
                     for section in SECTIONS}
            doc = facts_document(dataset=dataset.entry)
            for section, entries in order.items():
                if entries:
                    doc[section] = [r.full() for r in entries]
            if not refused:
                target.write_text(dump_json(doc, lines=False), "utf-8")  # one line: fastest
                try:
                    facts = load_facts(target, display="workbook", workers=1)
                except InvalidDataset:
                    refused = True
            if refused:
                text = dump_json(doc)  # a field a line: the problems' lines say where
                target.write_text(text, "utf-8")
                try:
                    facts = load_facts(target, display="workbook", workers=1)
                except InvalidDataset as exc:
                    if not _leave_out(report, exc.problems, text, dataset, order, dropped):
                        return None, []
                    _cascade(report, tops, dropped)
                    continue
            kept = [r for r in rows if r.alive and (r.up is None or r.up.alive)]
            return facts.canonical(), kept
    report.at(dataset, f"still refused after {MAX_ROUNDS} rounds; nothing is imported")
    return None, []


def _references(schema: Schema, entry: dict, prefix: str = ""):
    """(column, id, targets) of every reference an entry's own row makes (not its nested
    rows'): the ``ref`` and ``refs`` fields, ``source``, inside maps too (``funding``)."""
    for name, spec in schema.fields.items():
        value = entry.get(name)
        if value is None:
            continue
        if spec.type in ("ref", "refs"):
            for ident in (value if isinstance(value, list) else [value]):
                yield prefix + name, ident, spec.targets
        elif spec.type == "map" and isinstance(value, dict):
            yield from _references(spec.sub, value, f"{prefix}{name}.")
    if schema.provenance:
        for ident in entry.get("source") or ():
            yield prefix + "source", ident, ("source",)


def _cascade(report: _Report, tops: list[Row], dropped: dict[str, Row]) -> None:
    """Leave out every row that names the id of a left-out row (no living row defining it
    too), and every row that names one of those, at once: as the loader would report them
    one round after another, in the loader's words."""
    while True:
        living = [r for top in tops if top.alive
                  for r in (top, *(c for cs in top.children.values() for c in cs if c.alive))]
        defined = {r.key for r in living if r.key is not None}
        gone = {i for i in dropped if i not in defined}
        if not gone:
            return
        broken = []
        for row in living:
            for col, ident, targets in _references(row.table.schema, row.entry):
                if ident in gone:
                    kinds = "entry" if targets == ENTITIES else " or ".join(targets)
                    broken.append((row, col, f"no {kinds} with id {ident!r}: its row "
                                             f"{dropped[ident].where} is not imported"))
        if not broken:
            return
        for row, col, message in broken:
            report.at(row, message, col)
        _leave_rows(report, list(dict.fromkeys(r for r, _, _ in broken)), dropped)


#: the loader's message for a reference to no entry: "NAME: no KIND with id 'ID' (hint)"
_REF_ID = re.compile(r"(.*? with id '([^']+)')")


def _leave_out(report: _Report, problems, text: str, dataset: Row,
               order: dict[str, list[Row]], dropped: dict[str, Row]) -> bool:
    """Report the loader's problems at their rows and leave those rows out; False when
    one is the dataset row's or at no row (nothing can be imported then)."""
    root, _ = yamlread.read(text)
    marks = _marks(root, dataset, order)
    lines = [m[0] for m in marks]
    fatal = False
    hits: list[Row] = []
    for problem in problems:
        row, col, message = _place(problem, marks, lines)
        message = _TWICE_IN_CELL.sub("", message)
        message = _AT_LINE.sub(lambda m: _where_line(int(m.group(1)), marks, lines), message)
        ident = _REF_ID.match(message)
        if ident and ident.group(2) in dropped:  # the hint (did you mean…) is beside the point
            message = f"{ident.group(1)}: its row {dropped[ident.group(2)].where} is not imported"
        if row is None:
            report.add(dataset.file, message)
            fatal = True
            continue
        report.at(row, message, col)
        if row is dataset:
            fatal = True
        hits.append(row)
    if fatal:
        report.at(dataset, "nothing is imported while the dataset row is wrong")
        return False
    _leave_rows(report, hits, dropped)
    return bool(hits)


def _leave_rows(report: _Report, rows: list[Row], dropped: dict[str, Row]) -> None:
    """Leave out ``rows`` (already reported), what hangs on them, and the funding block a
    bad one belongs to (a funding block is imported whole)."""
    for row in rows:  # first all of them: none is reported again for another's sake
        row.alive = False
    for row in rows:
        _drop(report, row, dropped)
    for row in rows:
        if row.up is not None and row.table.path == WHOLE and row.up.alive:
            report.at(row.up, f"not imported: its row {row.where} is bad (a funding block "
                      "is imported whole)")
            _drop(report, row.up, dropped)


#: the loader's "first at" place in the dumped facts, or a line of it (one cell here)
_AT_LINE = re.compile(r"\bworkbook:(\d+)")
_TWICE_IN_CELL = re.compile(r" \(first at line \d+\)")


def _where_line(line: int, marks, lines) -> str:
    """``file:sheet:row`` of a line of the dumped facts."""
    at = bisect.bisect_right(lines, line) - 1
    if at < 0:
        return "the workbook"
    row = marks[at][1]
    return f"{row.display}:{row.where}"


def _marks(root, dataset: Row, order: dict[str, list[Row]]) -> list[tuple[int, Row, str | None]]:
    """(line, row, column) of every entry and field of the dumped facts, by line."""
    marks: list[tuple[int, Row, str | None]] = []
    if root is None:
        return marks
    node = root.get("dataset")
    if node is not None:
        _mark(node, dataset, "", marks)
    for section, rows in order.items():
        seq = root.get(section) or []
        for item, row in zip(seq, rows, strict=False):
            _mark(item, row, "", marks)
    marks.sort(key=lambda m: m[0])
    return marks


def _mark(node, row: Row, prefix: str, marks: list) -> None:
    if not isinstance(node, yamlread.Mapping):
        return
    if not prefix:
        marks.append((node.line, row, None))
    for key, value in node.items():
        col = prefix + key
        marks.append((node.key_lines[key], row, col))
        kids = [r for r in row.children.get(col, ()) if r.alive]
        if kids and isinstance(value, yamlread.Sequence):
            for item, child in zip(value, kids, strict=False):
                _mark(item, child, "", marks)
        elif isinstance(value, yamlread.Mapping):
            _mark(value, row, col + ".", marks)


def _place(problem, marks, lines) -> tuple[Row | None, str | None, str]:
    """The row and column a loader problem is at, and its message (the column's name
    taken off its start)."""
    message = problem.message
    if problem.line is None or not marks:
        return None, None, message
    at = bisect.bisect_right(lines, problem.line) - 1
    if at < 0:
        return None, None, message
    line = lines[at]
    candidates = [m for m in marks if m[0] == line]
    best = None
    for _, row, col in candidates:
        if col is None:
            continue
        leaf = col.rsplit(".", 1)[-1]
        if message.startswith(col) or message.startswith(leaf):
            if best is None or len(col) > len(best[1]):
                best = (row, col)
    if best is None:
        plain = [m for m in candidates if m[2] is None]
        chosen = plain[0] if plain else candidates[-1]
        best = (chosen[1], chosen[2])
    row, col = best
    if col is not None:
        for name in (col, col.rsplit(".", 1)[-1]):
            if message.startswith(name + ": "):  # "administrator: no organisation…"
                message = message[len(name) + 2:]
                break
            if message.startswith(name + " '"):  # "status 'runing' is not one of…"
                message = message[len(name) + 1:]
                break
    return row, col, message


__all__ = ["Bad", "ImportResult", "Row", "Table", "cell_text", "column", "import_workbook",
           "read_workbook", "tables", "to_date", "to_ids", "to_number", "to_text",
           "to_texts"]
