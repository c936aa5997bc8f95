"""YAML output in the house style: block style for entries, flow style for short lists
and maps of scalars, keys in the order given, Unicode as itself, lines up to 100."""

from __future__ import annotations

import json
import re

import yaml


# libyaml's emitter when PyYAML has it (same output, several times faster)
class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style for entries, flow style for short lists and maps of scalars."""


def _represent_dict(dumper, data):
    flow = all(not isinstance(v, (dict, list)) for v in data.values()) and len(data) <= 4
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper, data):
    flow = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


Dumper.add_representer(dict, _represent_dict)
Dumper.add_representer(list, _represent_list)


def dump(doc: dict) -> str:
    """YAML text of ``doc`` in the house style (block entries, flow for short scalars).

    >>> print(dump({"areas": [{"id": "kemi", "name": {"fi": "Kemi"}}]}), end="")
    areas:
    - id: kemi
      name: {fi: Kemi}
    """
    return yaml.dump(doc, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100)


# ---------------------------------------------------------------------------- fast path

_SPECIAL = frozenset(
    "null true false yes no on off y n ~ .nan .inf -.inf +.inf".split())
_PLAIN_REST = re.compile(r"[^\x00-\x1f\x7f-\x9f:#?,\[\]{}\"'&*!|>%@`\u2028\u2029\ufeff]*")
#: characters YAML must see escaped in a double-quoted scalar (not printable, or a line
#: break to a YAML 1.1 reader such as libyaml)
_NEEDS_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


#: texts already written, with their YAML: ids, roles and source lists recur in every entry
_WRITTEN: dict[str, str] = {}


def _scalar(value, flow: bool) -> str:
    if value.__class__ is str:
        known = _WRITTEN.get(value)
        if known is None:
            known = _text(value)
            if len(_WRITTEN) > 200_000:  # bound the memory a long run may keep
                _WRITTEN.clear()
            _WRITTEN[value] = known
        return known
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return _text(str(value))


def _text(text: str) -> str:
    if (text and text[0].isalpha() and text[-1] not in " \t" and text.casefold() not in _SPECIAL
            and _PLAIN_REST.fullmatch(text) and "  " not in text):
        return text
    if not _NEEDS_ESCAPE.search(text):  # as PyYAML writes it: single quotes, '' for '
        return "'" + text.replace("'", "''") + "'"
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", quoted)


def _is_flow_map(data: dict) -> bool:
    return all(not isinstance(v, (dict, list)) for v in data.values()) and len(data) <= 4


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k, True)}: {_scalar(v, True)}"
                               for k, v in value.items()) + "}"
    return "[" + ", ".join(_scalar(v, True) for v in value) + "]"


def _emit(value, indent: str, out: list[str]) -> None:
    """Append the block lines of a mapping or list ``value`` (at ``indent``) to ``out``."""
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_scalar(key, False)}:"
            if isinstance(item, dict) and item and not _is_flow_map(item):
                out.append(head)
                _emit(item, indent + "  ", out)
            elif isinstance(item, list) and item and \
                    any(isinstance(v, (dict, list)) for v in item):
                out.append(head)
                _emit(item, indent, out)
            elif isinstance(item, (dict, list)):
                out.append(f"{head} {_flow(item)}")
            else:
                out.append(f"{head} {_scalar(item, False)}")
        return
    for item in value:
        if isinstance(item, dict) and item and not _is_flow_map(item):
            start = len(out)
            _emit(item, indent + "  ", out)
            out[start] = f"{indent}- {out[start][len(indent) + 2:]}"
        elif isinstance(item, (dict, list)):
            out.append(f"{indent}- {_flow(item)}")
        else:
            out.append(f"{indent}- {_scalar(item, False)}")


def dump_fast(doc: dict) -> str:
    """:func:`dump`'s house style written directly, without PyYAML's representer, for
    outputs of many entries (``regiograph import``): 0.43 s where :func:`dump` takes
    3.4–3.6 s for the 6.7 MB of facts of a 10 000-row import (measured side by side). Long lines are
    not folded. Strings that YAML could read as anything else, or that hold characters a
    plain scalar cannot, are written double-quoted with JSON's escapes (valid YAML), so
    the text loads back as written.

    >>> print(dump_fast({"areas": [{"id": "kemi", "name": {"fi": "Kemi"},
    ...                            "codes": {"municipality": "240"}, "part_of": ["no"]}]}),
    ...       end="")
    areas:
    - id: kemi
      name: {fi: Kemi}
      codes: {municipality: '240'}
      part_of: ['no']
    """
    out: list[str] = []
    _emit(doc, "", out)
    return "\n".join(out) + "\n"


#: characters YAML 1.1 (libyaml) reads as line breaks even inside a quoted scalar
_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dump_json(doc: dict, lines: bool = True) -> str:
    """``doc`` as YAML the loader reads, for files no person reads: JSON (a subset of YAML
    1.2), with ``lines`` one key or list item a line (so a problem's line names its
    field; else all on one line, which json writes several times faster); every string
    quoted (a code ``047`` stays text), the characters libyaml would fold as escapes.

    >>> print(dump_json({"a": ["x\u2028y"]}, lines=False), end="")
    {"a": ["x\\u2028y"]}
    """
    text = json.dumps(doc, ensure_ascii=False, indent=0 if lines else None)
    return text.translate(_BREAKS) + "\n"
