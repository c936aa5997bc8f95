"""YAML output in the house style: block style for entries, flow style for short lists
and maps of scalars, keys in the order given, Unicode as itself, lines up to 100."""

from __future__ import annotations

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
