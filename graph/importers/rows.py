"""The rows of a register file, read as text: CSV (its encoding and delimiter found, not
assumed) or the first sheet of an XLSX workbook, the header checked against a mapping's
layout, and rows with shifted columns realigned where exactly one reading fits.

A CSV file is decoded whole (its encoding is known only then), and its rows are then
parsed one at a time; an XLSX sheet is read row by row.
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

#: a cell longer than this ends the reading of a file (no register holds one)
MAX_CELL = 1 << 20
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


#: a UTF-8 sequence of two or more bytes: a file holding some is UTF-8 written by a program
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode(raw: bytes, path: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in: UTF-16 by its byte order
    mark, else UTF-8, else Windows-1252 (Excel's CSV on Windows) when no byte of the file
    is UTF-8 — a file with both is refused at the line of its first stray byte, since
    either reading would change some of its text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise TableError(f"{path}: UTF-16 text broken at byte {exc.start}") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        if _UTF8_SEQUENCE.search(raw):
            raise TableError(f"{path}:{line}: byte 0x{raw[exc.start]:02x} is not UTF-8, while "
                             "the rest of the file is: save the file as UTF-8 again") from None
        if b"\x00" in raw:
            raise TableError(f"{path}:{line}: not text (a byte 0); save it as CSV in "
                             "UTF-8") from None
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined: ISO 8859-1 has them all
        return raw.decode("latin-1"), "latin-1"


def read_bounded(path: str | Path, shown: str | None = None) -> bytes:
    """The bytes of a register file, its size checked before it is read (MAX_BYTES)."""
    _check_size(Path(path), shown or str(path))
    return Path(path).read_bytes()


def _check_size(path: Path, shown: str) -> None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TableError(f"{shown}: {size} bytes; a register file may have at most "
                         f"{MAX_BYTES} (split it)")


def read_table(path: str | Path, columns: list[str], optional: list[str] = (),
               *, shown: str | None = None, raw: bytes | None = None,
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
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_size(path, shown)
        records, delimiter = _xlsx_records(path, shown), None
    else:
        text, _ = decode(read_bounded(path, shown) if raw is None else raw, shown)
        delimiter = _delimiter(text, columns)
        records = _csv_records(text, delimiter, shown)
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
        if len(cells) > width and not any(c.strip() for c in cells[width:]) and \
                (fits is None or fits(_cells(cells[:width], position))):
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
    keys = [column_key(h) for h in header]
    twice = sorted({h for h, k in zip(header, keys, strict=True)
                    if k in {column_key(c) for c in columns} and keys.count(k) > 1})
    if twice:
        raise TableError(f"{shown}:{line}: the header has the column "
                         f"{', '.join(repr(t) for t in twice)} twice: which one is meant?")
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
    first = (text.splitlines() or [""])[0]
    wanted = {column_key(c) for c in columns}

    def score(d: str) -> tuple[int, int]:
        cells = next(csv.reader([first], delimiter=d), [])
        return (len(wanted & {column_key(c) for c in cells}), first.count(d))

    return max(DELIMITERS, key=score)


def _csv_records(text: str, delimiter: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableError(f"{shown}:{start}: the file cannot be read on from here ({exc}; "
                             f"a cell may hold at most {MAX_CELL} characters)") from None
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
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - broken XML inside the zip
                raise TableError(f"{shown}:{number + 1}: the sheet cannot be read on from "
                                 f"here ({type(exc).__name__})") from None
            number += 1
            yield number, [typed(v) for v in values]
    finally:
        book.close()


class Typed(str):
    """A spreadsheet cell's text that came from a typed cell (a number or a date): the
    register's parsers read ``value`` instead of the text, whatever the mapping's decimal
    separator or date format."""

    value: object

    def __new__(cls, text: str, value):
        out = super().__new__(cls, text)
        out.value = value
        return out


def typed(value) -> str:
    """A spreadsheet cell as text; numbers and dates as :class:`Typed`."""
    text = cell_text(value)
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return Typed(text, value)
    return text


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
