"""The rows of a register file, read as text: CSV (its encoding and delimiter found, not
assumed) or the first sheet of an XLSX workbook, the header checked against a mapping's
layout, and rows with shifted columns realigned where exactly one reading fits.

Rows stream: memory holds one row at a time, whatever the file's size.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: encodings tried in turn: registers exported from Excel on Windows are often cp1252
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t", "|")
#: a register file larger than this is refused before it is read (a safety bound)
MAX_BYTES = 1 << 30


class TableError(ValueError):
    """The file cannot be read as the mapping's table at all (``file:line: message``)."""


@dataclass
class Row:
    """One data row: its line in the file (the header is line 1 of a plain CSV), its cells
    by the mapping's column names, and what was done to read it (a realignment)."""

    line: int
    cells: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass
class BadRow:
    line: int
    message: str


def column_key(name: str) -> str:
    """How two spellings of a column name are compared: Unicode NFKC, case folded, spaces,
    '_' and '-' as one space.

    >>> column_key(" Hankkeen  nimi "), column_key("projekt_starttid")
    ('hankkeen nimi', 'projekt starttid')
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[_\-\s]+", " ", text).split())


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in (UTF-8, else cp1252)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableError(f"{path}:1: the file is neither UTF-8 nor Windows-1252 text")


def read_table(path: str | Path, columns: list[str], optional: list[str] = (),
               *, shown: str | None = None,
               fits: Callable[[dict[str, str]], bool] | None = None,
               free: list[str] = ()) -> Iterator[Row | BadRow]:
    """Rows of ``path`` (CSV, or XLSX by its suffix) with cells keyed by ``columns``.

    The header must hold every column of ``columns`` not in ``optional`` (in any order,
    spelled as :func:`column_key` compares); raises :class:`TableError` naming the
    missing ones. A row with more cells than the header is realigned when exactly one
    of the ``free`` (free-text) columns can take the extra cells joined by the delimiter
    and ``fits`` accepts the result; other rows of the wrong length are BadRow.
    Cost: one pass over the file.
    """
    path = Path(path)
    shown = shown or str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TableError(f"{shown}: {size} bytes; a register file may have at most "
                         f"{MAX_BYTES} (split it)")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        records, delimiter = _xlsx_records(path, shown), None
    else:
        text, _ = decode(path.read_bytes(), shown)
        delimiter = _delimiter(text, columns)
        records = _csv_records(text, delimiter)
    try:
        line, header = next(records)
    except StopIteration:
        raise TableError(f"{shown}:1: the file is empty; expected a header with "
                         f"{', '.join(columns)}") from None
    position = _positions(header, columns, optional, shown, line)
    width = len(header)
    free_at = sorted(position[c] for c in free if c in position)
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # an empty line or a row of empty cells
        notes: list[str] = []
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]  # empty cells after the last column: a trailing delimiter
        if len(cells) > width and delimiter is not None:
            cells, note = _realign(cells, width, delimiter, free_at, position, fits, header)
            if cells is None:
                yield BadRow(line, note)
                continue
            notes.append(note)
        elif len(cells) > width:
            if any(c.strip() for c in cells[width:]):
                yield BadRow(line, f"{len(cells)} cells where the header has {width}")
                continue
            cells = cells[:width]
        elif len(cells) < width:
            if len(cells) < max(position.values()) + 1:
                yield BadRow(line, f"{len(cells)} cells where the header has {width}: "
                             "a row that ends early (a line break inside a cell that is "
                             "not quoted?)")
                continue
        yield Row(line, _cells(cells, position), notes)


def _cells(cells: list[str], position: dict[str, int]) -> dict[str, str]:
    return {name: (cells[i].strip() if i < len(cells) else "") for name, i in position.items()}


def _positions(header: list[str], columns: list[str], optional, shown: str,
               line: int) -> dict[str, int]:
    found = {column_key(h): i for i, h in reversed(list(enumerate(header)))}
    position, missing = {}, []
    for name in columns:
        key = column_key(name)
        if key in found:
            position[name] = found[key]
        elif name not in optional:
            missing.append(name)
    if missing:
        have = ", ".join(repr(h) for h in header[:20])
        raise TableError(f"{shown}:{line}: the header has no column "
                         f"{', '.join(repr(m) for m in missing)}; it has {have}. Is this "
                         "file of this format? (regiograph import --list shows the formats)")
    return position


def _realign(cells, width, delimiter, free_at, position, fits, header):
    extra = len(cells) - width
    fitting = []
    for i in free_at:
        merged = cells[:i] + [delimiter.join(cells[i:i + extra + 1])] + cells[i + extra + 1:]
        if fits is None or fits(_cells(merged, position)):
            fitting.append((i, merged))
    if len(fitting) == 1:
        i, merged = fitting[0]
        return merged, (f"{extra} cell(s) more than the header: column {header[i]!r} held "
                        f"{delimiter!r}, joined back")
    why = ("no column reading fits" if not fitting else
           f"{len(fitting)} readings fit ({', '.join(repr(header[i]) for i, _ in fitting)})")
    return None, (f"{len(cells)} cells where the header has {width} (shifted columns: "
                  f"{why}); quote the cell that holds {delimiter!r}")


def _delimiter(text: str, columns: list[str]) -> str:
    """The delimiter whose reading of the first line matches most of ``columns``."""
    first = text.split("\n", 1)[0]
    wanted = {column_key(c) for c in columns}

    def score(d: str) -> tuple[int, int]:
        cells = next(csv.reader([first], delimiter=d), [])
        return (len(wanted & {column_key(c) for c in cells}), first.count(d))

    return max(DELIMITERS, key=score)


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _xlsx_records(path: Path, shown: str) -> Iterator[tuple[int, list[str]]]:
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors alike
        raise TableError(f"{shown}: cannot be read as an XLSX workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [cell_text(v) for v in values]
    finally:
        book.close()


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold: integral floats without
    '.0', dates as YYYY-MM-DD (a time of midnight dropped).

    >>> cell_text(87000.0), cell_text(70.5), cell_text(dt.datetime(2015, 3, 1))
    ('87000', '70.5', '2015-03-01')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
