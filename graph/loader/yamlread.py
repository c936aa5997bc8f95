"""A strict, bounded YAML 1.2 (core schema) reader that keeps line numbers.

PyYAML implements YAML 1.1 (``NO`` is false, ``0755`` is octal, timestamps are
dates) and its composer recurses, so a 200 000-deep list crashes it. This module
walks libyaml's event stream (C parser when present) with an explicit stack and
builds the tree itself: YAML 1.2 core scalars, duplicate keys refused, no tags
beyond the core ones, and node-count / depth limits enforced *while* parsing, so
an alias bomb or a runaway nesting is refused after a few thousand events.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

import yaml

try:  # libyaml's parser is ~4x faster than the pure-Python one
    from yaml.cyaml import CParser as _Parser  # `yaml` itself does not export CParser

    LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    LIBYAML = False
    from yaml.parser import Parser as _BaseParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _BaseParser):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _BaseParser.__init__(self)

        def dispose(self):
            pass


_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQ_START, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_DOC_START, _STREAM_END = yaml.DocumentStartEvent, yaml.StreamEndEvent

MAX_NODES = 1_000_000
MAX_DEPTH = 100
MAX_BYTES = 256 * 1024 * 1024
#: a plain decimal integer of more digits is not converted (Python's int() refuses more
#: than 4 300, and the conversion is quadratic): it resolves to a :class:`BigInt`
MAX_INT_DIGITS = 4300

CORE = "tag:yaml.org,2002:"
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_WORDS: dict[str, object] = {**dict.fromkeys(_NULL), **dict.fromkeys(_TRUE, True),
                              **dict.fromkeys(_FALSE, False)}
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
# what YAML refuses when written raw (C0 controls but tab, newline and carriage return;
# DEL; C1 controls but NEL; lone surrogates; U+FFFE/U+FFFF) can still be written as a
# double-quoted escape; XML and UTF-8 outputs (GraphML, GEXF, SPARQL XML) cannot carry it
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
#: characters no text of a facts file may hold, however written (importers refuse them too)
FORBIDDEN_TEXT = _FORBIDDEN


class YamlError(Exception):
    """A problem in one file, with the 1-based line where it was found."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(slots=True)
class Scalar:
    """A scalar: ``value`` is the YAML 1.2 core value, ``text`` the exact source text."""

    value: object
    text: str
    line: int
    plain: bool = True


class Mapping(dict):
    """A mapping of key text -> node, with the line of the mapping and of every key."""

    __slots__ = ("line", "key_lines")

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class Sequence(list):
    """A sequence of nodes with the line where it starts."""

    __slots__ = ("line",)

    def __init__(self, line: int):
        super().__init__()
        self.line = line


Node = Scalar | Mapping | Sequence


class BigInt:
    """The value of a plain decimal integer too long to convert (more than
    :data:`MAX_INT_DIGITS` digits): a text field uses the scalar's source text as
    always; a number field refuses it, saying how many ``digits`` it has."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"BigInt({self.digits} digits)"


def resolve_plain(text: str) -> object:
    """The YAML 1.2 core schema value of an untagged plain scalar."""
    word = _WORDS.get(text, text)  # one lookup for the null and boolean spellings
    if word is not text:
        return word
    c = text[0]
    if c.isdigit() or c in "+-.":
        if _INT10.match(text):
            if len(text) > MAX_INT_DIGITS:  # leading zeros count towards int()'s limit too
                digits = text.lstrip("+-").lstrip("0")
                if len(digits) > MAX_INT_DIGITS:
                    return BigInt(len(digits))
                value = int(digits or "0")
                return -value if c == "-" else value
            return int(text)
        if _INT8.match(text):
            return int(text[2:], 8)
        if _INT16.match(text):
            return int(text[2:], 16)
        if _FLOAT.match(text):
            return float(text)
        if _INF.match(text):
            return float("-inf") if c == "-" else float("inf")
        if _NAN.match(text):
            return float("nan")
    return text


def _tagged(tag: str, text: str, line: int) -> object:
    """The value of a scalar with an explicit core tag (``!!str 047``)."""
    if tag in ("!", CORE + "str"):
        return text
    name = tag[len(CORE):] if tag.startswith(CORE) else None
    value = resolve_plain(text) if text else None
    # a BigInt is an int too long to convert: the field that takes the value says so
    expected = {"int": (int, BigInt), "float": (int, float, BigInt), "bool": bool,
                "null": type(None)}.get(name or "")
    if expected is None:
        raise YamlError(line, f"tag {tag!r} is not allowed: only YAML 1.2 core tags are")
    if not isinstance(value, expected) or (name == "int" and isinstance(value, bool)):
        raise YamlError(line, f"{text!r} is not a valid !!{name}")
    return float(value) if name == "float" and not isinstance(value, BigInt) else value


# what a mapping or sequence being read expects next (the innermost one is kept in locals)
_ROOT, _SEQ, _KEY, _VALUE, _SKIP = range(5)  # _SKIP: the value of a duplicate key
#: the first characters of a plain scalar that may be a number (the rest is text at once)
_NUMERIC_START = frozenset("0123456789+-.")
_new_mapping = dict.__new__
_new_sequence = list.__new__


def read(
    text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> tuple[Node | None, list[YamlError]]:
    """Parse one YAML document into nodes; the root is ``None`` for an empty document.

    Raises :class:`YamlError` with a 1-based line for what stops the parse (syntax
    errors, a second document, non-scalar keys, the limits); returns the problems
    it can step over (duplicate keys, forbidden tags) beside the tree, so that one
    run reports them all.
    Cost: one pass over libyaml's events, O(events) time, O(depth) stack.

    >>> root, problems = read("a: [1, '2', x]\\na: 3\\n")
    >>> [(n.value, n.line) for n in root["a"]], [p.message[:17] for p in problems]
    ([(1, 1), ('2', 1), ('x', 1)], ["duplicate key 'a'"])
    """
    try:
        parser = _Parser(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None
    get_event = parser.get_event
    anchors: dict[str, tuple[Node, int, int]] = {}  # anchor -> (node, size, height)
    root: Node | None = None
    total = 0
    documents = 0
    problems: list[YamlError] = []
    # The innermost open container lives in these locals, its parents' on ``stack``:
    # this loop is the hot path (a million events for 17 MB), and a scalar, the commonest
    # event, then touches no object but its own node. A subtree's size (its nodes, aliases
    # expanded) is ``total`` at its end less ``total`` before it started.
    node = klines = key_text = anchor = None
    mode, key_line, depth, start, height = _ROOT, 0, 0, 0, 1
    stack: list[tuple] = []
    try:
        while True:
            try:
                event = get_event()
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                msg = exc.problem or "not valid YAML"
                if exc.context:
                    msg = f"{exc.context}, {msg}"
                raise YamlError(mark.line + 1 if mark else None, f"not valid YAML: {msg}") from None
            except yaml.reader.ReaderError as exc:
                raise _reader_error(text, exc) from None
            except yaml.YAMLError as exc:
                raise YamlError(None, f"not valid YAML: {exc}") from None
            if event is None:
                break
            cls = event.__class__  # dispatch on the class
            if cls is _SCALAR:
                line = event.start_mark.line + 1
                total += 1
                if total > max_nodes:
                    _limits(total, depth, max_nodes, max_depth, line)
                value = event.value
                style = event.style
                tag = event.tag
                if tag is None:
                    plain = not style
                    if plain and mode != _KEY:  # a key's value is never used (keys are
                        scalar = _WORDS.get(value, value)  # matched by their text)
                        if scalar is value and value[0] in _NUMERIC_START:
                            scalar = resolve_plain(value)
                    else:
                        scalar = value
                        # the reader refuses such characters written raw: only a
                        # double-quoted scalar's escapes can make one
                        if style == '"' and _FORBIDDEN.search(value):
                            problems.append(_escaped_forbidden(value, line))
                else:
                    plain = False
                    if tag == "!" and style:
                        scalar = value
                    else:
                        try:
                            scalar = _tagged(tag, value, line)
                        except YamlError as exc:
                            problems.append(exc)
                            scalar = value
                    if style == '"' and scalar.__class__ is str and _FORBIDDEN.search(scalar):
                        problems.append(_escaped_forbidden(scalar, line))
                if mode == _KEY:  # no node for a key: its text and line are kept
                    if event.anchor is not None:
                        anchors[event.anchor] = (Scalar(scalar, value, line, plain), 1, 0)
                    if value in node:
                        problems.append(_duplicate(value, klines[value], line))
                        mode = _SKIP
                    else:
                        mode = _VALUE
                    key_text, key_line = value, line
                    continue
                scalar = Scalar(scalar, value, line, plain)
                if event.anchor is not None:
                    anchors[event.anchor] = (scalar, 1, 0)
                if mode == _SEQ:
                    node.append(scalar)
                elif mode == _VALUE:
                    node[key_text] = scalar
                    klines[key_text] = key_line
                    mode = _KEY
                elif mode == _SKIP:
                    mode = _KEY
                else:
                    root = scalar
            elif cls is _MAP_END or cls is _SEQ_END:
                line = event.start_mark.line + 1
                if mode == _VALUE or mode == _SKIP:
                    raise YamlError(line, "mapping key without a value")
                child, size, child_height = node, total - start, height
                if anchor is not None:
                    anchors[anchor] = (child, size, child_height)
                node, klines, mode, key_text, key_line, depth, anchor, start, height = stack.pop()
                if height <= child_height:
                    height = child_height + 1
                if mode == _SEQ:
                    node.append(child)
                elif mode == _VALUE:
                    node[key_text] = child
                    klines[key_text] = key_line
                    mode = _KEY
                elif mode == _SKIP:
                    mode = _KEY
                elif mode == _KEY:
                    raise YamlError(line, "a mapping key must be a plain value, not a list or "
                                    "mapping")
                else:
                    root = child
            elif cls is _MAP_START or cls is _SEQ_START:
                line = event.start_mark.line + 1
                total += 1
                if total > max_nodes or depth >= max_depth:
                    _limits(total, depth + 1, max_nodes, max_depth, line)
                is_map = cls is _MAP_START
                tag = event.tag
                if tag is not None and tag not in ("!", CORE + ("map" if is_map else "seq")):
                    problems.append(
                        YamlError(line, f"tag {tag!r} is not allowed: only YAML 1.2 core tags are")
                    )
                stack.append((node, klines, mode, key_text, key_line, depth, anchor, start,
                              height))
                if is_map:
                    node = _new_mapping(Mapping)
                    node.line = line
                    node.key_lines = klines = {}
                    mode = _KEY
                else:
                    node = _new_sequence(Sequence)
                    node.line = line
                    mode = _SEQ
                depth += 1
                anchor = event.anchor
                start = total - 1
                height = 1
            elif cls is _ALIAS:
                line = event.start_mark.line + 1
                if event.anchor not in anchors:
                    raise YamlError(line, f"alias *{event.anchor} refers to no anchor")
                target, size, target_height = anchors[event.anchor]
                total += size
                _limits(total, depth + target_height, max_nodes, max_depth, line)
                target = _relocated(target, line)
                if height <= target_height:
                    height = target_height + 1
                if mode == _SEQ:
                    node.append(target)
                elif mode == _VALUE:
                    node[key_text] = target
                    klines[key_text] = key_line
                    mode = _KEY
                elif mode == _SKIP:
                    mode = _KEY
                elif mode == _KEY:
                    if not isinstance(target, Scalar):
                        raise YamlError(line, "a mapping key must be a plain value, not a list "
                                        "or mapping")
                    key_text = target.text
                    if key_text in node:
                        problems.append(_duplicate(key_text, klines[key_text], line))
                        mode = _SKIP
                    else:
                        mode = _VALUE
                    key_line = line
                else:
                    root = target
            elif cls is _DOC_START:
                line = event.start_mark.line + 1
                documents += 1
                if documents > 1:
                    raise YamlError(line, "a file holds one YAML document; found a second one")
            elif cls is _STREAM_END:
                break
    finally:
        parser.dispose()
    return root, problems


def _duplicate(key: str, first: int, line: int) -> YamlError:
    return YamlError(line, f"duplicate key {key!r} (first defined at line {first}); "
                     "remove or rename one of them")


def _escaped_forbidden(value: str, line: int) -> YamlError:
    bad = _FORBIDDEN.search(value).group()
    return YamlError(line, f"character U+{ord(bad):04X} (written as an escape) is not "
                     "allowed in text; remove it")


def _relocated(node: Node, line: int) -> Node:
    """A shallow copy of an aliased node placed at the alias's line (children shared)."""
    if isinstance(node, Scalar):
        return Scalar(node.value, node.text, line, node.plain)
    copy = Mapping(line) if isinstance(node, Mapping) else Sequence(line)
    if isinstance(node, Mapping):
        copy.update(node)
        copy.key_lines.update(node.key_lines)
    else:
        copy.extend(node)
    return copy


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> YamlError:
    """A character YAML does not allow (a control character), at its line."""
    line = text.count("\n", 0, exc.position) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return YamlError(line, f"character U+{ord(char):04X} is not allowed in YAML; remove it")


def _limits(total: int, depth: int, max_nodes: int, max_depth: int, line: int) -> None:
    if total > max_nodes:
        raise YamlError(
            line,
            f"document exceeds the limit of {max_nodes:,} nodes (after expanding aliases); "
            "split the data over several files or remove alias chains",
        )
    if depth > max_depth:
        raise YamlError(line, f"nesting depth exceeds the limit of {max_depth} levels")


def read_bytes(path: os.PathLike | str) -> bytes:
    """The bytes of one file, refused (:class:`YamlError`, no line) before they are read
    when it is larger than :data:`MAX_BYTES` or no regular file: the size is taken from
    the open file and at most ``MAX_BYTES + 1`` bytes are ever read, so a file of 30 GB
    (or one that grows meanwhile) costs no more memory than the limit. ``OSError`` when it
    cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO: no wait
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise YamlError(None, "not a regular file (a device, FIFO or socket); a dataset "
                            "holds only plain files")
        if info.st_size > MAX_BYTES:
            raise _too_large(info.st_size)
        want = info.st_size + 1  # one more: a file that grew since (or a size of 0 in /proc)
        data = file.read(want)
        if len(data) == want:
            data += file.read(MAX_BYTES + 1 - len(data))
    if len(data) > MAX_BYTES:
        raise _too_large(None)
    return data


def _too_large(size: int | None) -> YamlError:
    shown = f" ({size / 2**20:,.0f} MiB)" if size is not None else ""
    return YamlError(None, f"file is larger than the limit of {MAX_BYTES // 2**20} MiB"
                     f"{shown}; split it into several files")


def decode(data: bytes) -> str:
    """UTF-8 text of a file, or :class:`YamlError` at the line of the first bad byte."""
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlError(
            line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def to_plain(node: Node | None) -> object:
    """Nodes as plain Python values (dicts, lists, core-schema scalars)."""
    if isinstance(node, Mapping):
        return {k: to_plain(v) for k, v in node.items()}
    if isinstance(node, Sequence):
        return [to_plain(v) for v in node]
    return None if node is None else node.value
