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
from dataclasses import dataclass, field

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


@dataclass(slots=True)
class _Frame:
    node: Mapping | Sequence
    depth: int
    anchor: str | None
    is_seq: bool
    size: int = 1
    height: int = 1
    key: Scalar | None = None
    pending_key: bool = field(default=True)
    skip_value: bool = False


def read(
    text: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> tuple[Node | None, list[YamlError]]:
    """Parse one YAML document into nodes; the root is ``None`` for an empty document.

    Raises :class:`YamlError` with a 1-based line for what stops the parse (syntax
    errors, a second document, non-scalar keys, the limits); returns the problems
    it can step over (duplicate keys, forbidden tags) beside the tree, so that one
    run reports them all.
    Cost: one pass over libyaml's events, O(events) time, O(depth) stack.
    """
    try:
        parser = _Parser(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None
    anchors: dict[str, tuple[Node, int, int]] = {}  # anchor -> (node, size, height)
    stack: list[_Frame] = []
    top: _Frame | None = None  # stack[-1], kept at hand
    root: Node | None = None
    total = 0
    documents = 0
    problems: list[YamlError] = []
    try:
        while True:
            try:
                event = parser.get_event()
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
            cls = event.__class__  # dispatch on the class: this loop is the hot path
            if cls is _SCALAR:
                line = event.start_mark.line + 1
                total += 1
                if total > max_nodes:
                    _limits(total, top.depth if top else 0, max_nodes, max_depth, line)
                tag = event.tag
                text = event.value
                plain = not event.style
                if tag is None or (tag == "!" and not plain):
                    # a key's value is never used (keys are matched by their text)
                    keyed = top is not None and top.pending_key and not top.is_seq
                    value = resolve_plain(text) if plain and not keyed else text
                else:
                    try:
                        value = _tagged(tag, text, line)
                    except YamlError as exc:
                        problems.append(exc)
                        value = text
                # the reader refuses such characters written raw: only a double-quoted
                # scalar's escapes can make one
                if event.style == '"' and value.__class__ is str and _FORBIDDEN.search(value):
                    bad = _FORBIDDEN.search(value).group()
                    problems.append(YamlError(line, f"character U+{ord(bad):04X} (written as an "
                                              "escape) is not allowed in text; remove it"))
                node = Scalar(value, text, line, plain and tag is None)
                if event.anchor is not None:
                    anchors[event.anchor] = (node, 1, 0)
                # a scalar's parent: the common case of _attach, inline (size +1, height
                # unchanged since a frame's height is at least 1)
                if top is None:
                    root = node
                elif top.is_seq:
                    top.size += 1
                    top.node.append(node)
                elif not top.pending_key:
                    top.size += 1
                    if not top.skip_value:
                        key = top.key
                        top.node[key.text] = node
                        top.node.key_lines[key.text] = key.line
                    top.pending_key = True
                else:  # a key
                    top.size += 1
                    container = top.node
                    top.skip_value = text in container
                    if top.skip_value:
                        problems.append(YamlError(
                            line, f"duplicate key {text!r} (first defined at line "
                            f"{container.key_lines[text]}); remove or rename one of them"))
                    top.key = node
                    top.pending_key = False
            elif cls is _MAP_END or cls is _SEQ_END:
                frame = stack.pop()
                top = stack[-1] if stack else None
                line = event.start_mark.line + 1
                if not frame.is_seq and not frame.pending_key:
                    raise YamlError(line, "mapping key without a value")
                if frame.anchor is not None:
                    anchors[frame.anchor] = (frame.node, frame.size, frame.height)
                root = _attach(stack, frame.node, frame.size, frame.height, line, root, problems)
            elif cls is _MAP_START or cls is _SEQ_START:
                line = event.start_mark.line + 1
                outer = top.depth if top else 0
                total += 1
                _limits(total, outer + 1, max_nodes, max_depth, line)
                is_map = cls is _MAP_START
                tag = event.tag
                if tag not in (None, "!", CORE + ("map" if is_map else "seq")):
                    problems.append(
                        YamlError(line, f"tag {tag!r} is not allowed: only YAML 1.2 core tags are")
                    )
                container = Mapping(line) if is_map else Sequence(line)
                top = _Frame(container, outer + 1, event.anchor, not is_map)
                stack.append(top)
            elif cls is _ALIAS:
                line = event.start_mark.line + 1
                outer = top.depth if top else 0
                if event.anchor not in anchors:
                    raise YamlError(line, f"alias *{event.anchor} refers to no anchor")
                node, size, height = anchors[event.anchor]
                total += size
                _limits(total, outer + height, max_nodes, max_depth, line)
                node = _relocated(node, line)
                root = _attach(stack, node, size, height, line, root, problems)
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


def _attach(stack: list[_Frame], node: Node, size: int, height: int, line: int, root, problems):
    """Add a finished node to its parent (or make it the root)."""
    if not stack:
        return node
    parent = stack[-1]
    parent.size += size
    parent.height = max(parent.height, height + 1)
    container = parent.node
    if isinstance(container, Sequence):
        container.append(node)
    elif parent.pending_key:
        if not isinstance(node, Scalar):
            raise YamlError(line, "a mapping key must be a plain value, not a list or mapping")
        key = node.text
        parent.skip_value = key in container
        if parent.skip_value:
            first = container.key_lines[key]
            problems.append(
                YamlError(line, f"duplicate key {key!r} (first defined at line {first}); "
                          "remove or rename one of them")
            )
        parent.key = node
        parent.pending_key = False
    else:
        if not parent.skip_value:
            key = parent.key.text
            container[key] = node
            container.key_lines[key] = parent.key.line
        parent.pending_key = True
    return root


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
