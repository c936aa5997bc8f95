"""Canonical facts out to YAML (the facts format again) and to CSV tables."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .base.files import new_folder
from .base.yamlout import dump
from .model.schema import facts_document


def to_yaml(canonical: dict) -> str:
    """The facts as one YAML file in the facts format (loads back to the same facts).

    PyYAML quotes every string that YAML 1.1 would read as something else (``NO``,
    ``047``, ``2008``), and the loader reads quoted scalars as strings, so the text
    survives; numbers are written unquoted.
    """
    doc = facts_document(dataset=canonical["dataset"])
    for section, entries in canonical.items():
        if section != "dataset" and entries:
            doc[section] = entries
    header = "# Written by `regiograph export --format yaml`: the facts rebuilt from the graph.\n"
    return header + dump(doc)


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
