"""Canonical facts out to YAML (the facts format again) and to CSV tables."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from .base.files import new_folder
from .base.yamlout import dump_fast
from .model.schema import facts_document


def to_yaml(canonical: dict) -> str:
    """The facts as one YAML file in the facts format (loads back to the same facts).

    Every string that YAML could read as something else (``NO``, ``047``, ``2008``) is
    quoted, and the loader reads quoted scalars as strings, so the text survives; numbers
    are written unquoted. Written by :func:`graph.base.yamlout.dump_fast` (the house
    style without PyYAML's representer: 990 292 triples' facts in 1.0 s instead of
    12.7 s, the same data read back).
    """
    doc = facts_document(dataset=canonical["dataset"])
    for section, entries in canonical.items():
        if section != "dataset" and entries:
            doc[section] = entries
    header = "# Written by `regiograph export --format yaml`: the facts rebuilt from the graph.\n"
    return header + dump_fast(doc)


def _flatten(value, prefix: str, row: dict, tables: dict, parent: tuple[str, str]) -> None:
    """Put scalars of ``value`` into ``row`` (dotted names), nested entry lists into tables."""
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, row, tables, parent)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        table = tables.setdefault(f"{parent[0]}.{prefix}", [])
        for n, item in enumerate(value, 1):
            child = {parent[1]: parent[2], "position": n}
            _flatten(item, "", child, tables, (f"{parent[0]}.{prefix}", parent[1], parent[2]))
            table.append(child)
    elif isinstance(value, list):
        row[prefix] = " ".join(str(v) for v in value)
    else:
        row[prefix] = value


def to_tables(canonical: dict) -> dict[str, list[dict]]:
    """One table (list of flat rows) per section, and one per nested list of entries.

    A person's posts become ``people.posts`` with a ``people`` column naming the
    person; names become ``name.fi``, ``name.en``…; periods ``period.from``/``.to``;
    id lists a space-separated cell.
    """
    tables: dict[str, list[dict]] = {}
    for section, entries in canonical.items():
        if section == "dataset":
            entries = [entries]
        rows = tables.setdefault(section, [])
        for n, entry in enumerate(entries, 1):
            row: dict = {}
            owner = entry.get("id", str(n))
            if "id" not in entry:
                row["row"] = n
            _flatten(entry, "", row, tables, (section, section, owner))
            rows.append(row)
    return tables


#: first characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a
#: cell as a formula: OWASP's list for CSV injection
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(cell) -> str:
    """A cell's text, with a ``'`` in front when a spreadsheet would evaluate it (OWASP:
    a cell starting with ``= + - @``, tab or carriage return): ``=HYPERLINK(…)`` is shown
    as text, ``-kylä`` as ``'-kylä``. Numbers of the format are never negative."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows: list[dict], raw: bool = False) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cell = (lambda v: "" if v is None else v) if raw else neutral
    writer.writerow([cell(c) for c in columns])
    writer.writerows([cell(row.get(c)) for c in columns] for row in rows)
    return buf.getvalue()


def write_tables(canonical: dict, folder: str | Path, *, raw: bool = False) -> list[Path]:
    """Write :func:`to_tables` as UTF-8 CSV files in ``folder``; return their paths.

    Cells that a spreadsheet would evaluate as a formula get a leading ``'`` (see
    :func:`neutral`); ``raw`` writes every cell as it is.
    """
    folder = Path(folder)
    names = []
    with new_folder(folder) as tmp:  # the whole folder is replaced: no stale tables
        for name, rows in to_tables(canonical).items():
            if rows:
                (tmp / f"{name}.csv").write_text(_csv(rows, raw), "utf-8")
                names.append(f"{name}.csv")
    return [folder / n for n in names]


# --------------------------------------------------------------------------- the workbook

#: Excel's limit on the length of a sheet name
SHEET_NAME_LIMIT = 31
#: Excel keeps 15 significant digits of a number: one with more is written as text
EXCEL_DIGITS = 15
#: what makes a text cell of the workbook get a ``'`` in front: a formula start (as in
#: the CSV tables) or a ``'`` of its own, so that the import may remove exactly one
WORKBOOK_QUOTED = (*FORMULA_START, "'")
#: characters an XLSX cell cannot carry as they are (XML 1.0 refuses controls, and
#: normalises a carriage return to a line feed), and ``_xHHHH_`` itself, which Excel and
#: LibreOffice read as the character HHHH: all are written as ``_xHHHH_``
_XML_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def workbook_text(text: str) -> str:
    """A text as the workbook's cell holds it (see docs/format.md, "The workbook").

    A text that a spreadsheet would evaluate (``= + - @``, tab, carriage return at its
    start), or that starts with ``'`` itself, gets one ``'`` in front; reading removes
    exactly one leading ``'`` again, so every text comes back as it was. A character
    XML cannot hold, and the ``_`` of a ``_xHHHH_`` in the text, is written
    ``_xHHHH_`` as OOXML prescribes.

    >>> workbook_text("-kylä"), workbook_text("'quoted'"), workbook_text("Kemi")
    ("'-kylä", "''quoted'", 'Kemi')
    >>> workbook_text("a\\rb_x0041_")
    'a_x000D_b_x005F_x0041_'
    """
    if text.startswith(WORKBOOK_QUOTED):
        text = "'" + text
    return _XML_ESCAPED.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def workbook_texts(items: list[str]) -> str:
    r"""A list of texts (``alt_names``) as one cell: one text a line, a backslash in a
    text written ``\\`` and a line break ``\n`` (``\r``), so the list comes back whole.

    >>> workbook_texts(["Lapin liitto ry", "a\\b"])
    'Lapin liitto ry\na\\\\b'
    """
    return "\n".join(t.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
                     for t in items)


def _significant(number: int | float) -> int:
    digits = repr(abs(number)).lower().split("e")[0].replace(".", "").strip("0")
    return len(digits)


def workbook_cell(value):
    """A value of :func:`to_tables` as a workbook cell: texts through :func:`workbook_text`,
    numbers as numbers unless Excel would change them (more than 15 significant digits, a
    whole number from 10**15, a size a double cannot hold: then their exact text, which
    the import reads as the number).

    >>> workbook_cell(87000), workbook_cell(17.3), workbook_cell(10**18 + 1)
    (87000, 17.3, '1000000000000000001')
    """
    if isinstance(value, str):
        return workbook_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) >= 10**EXCEL_DIGITS:
            return str(value)
        if _significant(value) > EXCEL_DIGITS or (value and not 1e-300 < abs(value) < 1e300):
            return repr(value)
        return value
    return None if value is None else workbook_text(str(value))


def workbook_tables(canonical: dict) -> dict[str, list[dict]]:
    """The tables of :func:`to_tables` as the workbook holds them: a ``texts`` field
    (a list of texts, like ``alt_names``) is one cell by :func:`workbook_texts` instead
    of words joined by spaces, which could not be split again."""
    from .model.schema import SECTIONS

    def join(entry: dict, schema) -> dict:
        out = dict(entry)
        for name, spec in schema.fields.items():
            value = entry.get(name)
            if value is None:
                continue
            if spec.type == "texts" and isinstance(value, list):
                out[name] = workbook_texts(value)
            elif spec.type == "list" and isinstance(value, list):
                out[name] = [join(item, spec.sub) for item in value]
            elif spec.type == "map" and isinstance(value, dict):
                out[name] = join(value, spec.sub)
        return out

    joined = {section: (entries if section not in SECTIONS
                        else [join(e, SECTIONS[section]) for e in entries])
              for section, entries in canonical.items()}
    return to_tables(joined)


def workbook_layout(lang: str = "en") -> dict[str, list[str]]:
    """Every sheet of the workbook, in order, with the columns a planner may fill in
    (the dataset language's name column; any other ``name.TAG``, ``codes.SCHEME``…
    may be added): the dataset sheet, then each section followed by its nested lists.
    """
    from .model.schema import DATASET, SECTIONS

    def columns(schema, prefix: str = "") -> list[str]:
        out = []
        for name, spec in schema.fields.items():
            col = prefix + name
            if spec.type == "names":
                out.append(f"{col}.{lang}")
            elif spec.type == "period":
                out += [f"{col}.from", f"{col}.to"]
            elif spec.type == "map":
                out += columns(spec.sub, col + ".")
            elif spec.type not in ("list", "codes"):
                out.append(col)
        if schema.provenance:
            out += [prefix + "source", prefix + "note"]
        return out

    def lists(schema, prefix: str = "") -> list[tuple[str, object]]:
        out = []
        for name, spec in schema.fields.items():
            if spec.type == "list":
                out.append((prefix + name, spec.sub))
            elif spec.type == "map":
                out += lists(spec.sub, prefix + name + ".")
        return out

    layout = {"dataset": columns(DATASET)}
    for section, schema in SECTIONS.items():
        own = columns(schema)
        layout[section] = own if "id" in schema.fields else ["row", *own]
        for path, sub in lists(schema):
            layout[f"{section}.{path}"] = [section, "position", *columns(sub)]
    for name in layout:
        if len(name) > SHEET_NAME_LIMIT:  # pragma: no cover - a schema change would show
            raise ValueError(f"table {name!r} is longer than a sheet name may be")
    return layout


def _ordered(columns: list[str], template: list[str]) -> list[str]:
    """The data's columns and the template's, grouped by field in the template's order
    (``name.fi``, ``name.en`` stay together where ``name.<lang>`` is)."""
    heads = {}
    for col in template:
        heads.setdefault(col.split(".")[0], len(heads))
    full = {col: n for n, col in enumerate(template)}
    merged = list(dict.fromkeys([*columns, *template]))
    return sorted(merged, key=lambda c: (heads.get(c.split(".")[0], len(heads)),
                                         full.get(c, len(full))))


def to_workbook(canonical: dict) -> bytes:
    """The facts as an XLSX workbook: one sheet per table of :func:`to_tables` (the
    ``dataset`` sheet first, then each section and its nested lists, empty ones too, so
    a planner can add rows), the header row bold and frozen, columns wide enough to read.

    Texts that a spreadsheet would evaluate are neutralised as in the CSV tables (a
    ``'`` in front; see :func:`workbook_text`), and the import
    (:mod:`graph.importers.workbook`) reverses that exactly.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = canonical.get("dataset", {}).get("lang", "en")
    tables = workbook_tables(canonical)
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, template in workbook_layout(lang).items():
        rows = tables.get(name, [])
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = _ordered(list(seen), template)
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        cells = [[workbook_cell(row.get(c)) for c in columns] for row in rows]
        for n, col in enumerate(columns):
            sample = (len(str(r[n])) if r[n] is not None else 0 for r in cells[:500])
            width = max(len(col), *sample, 0) + 2
            sheet.column_dimensions[get_column_letter(n + 1)].width = min(max(width, 8), 60)
        header = []
        for col in columns:
            cell = WriteOnlyCell(sheet, value=col)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in cells:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
