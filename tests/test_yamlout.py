"""The fast YAML writer (graph.base.yamlout.dump_fast): whatever text goes in loads back
as the same text, in the project's strict YAML 1.2 reader and in PyYAML (YAML 1.1)."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.base.yamlout import dump, dump_fast
from graph.loader.yamlread import FORBIDDEN_TEXT, read, to_plain

TEXT = st.text().map(lambda t: FORBIDDEN_TEXT.sub("", t))  # the loader refuses those
SCALARS = st.one_of(TEXT, st.integers(min_value=0), st.sampled_from(
    ["NO", "no", "yes", "On", "~", "null", "047", "2008", "2008-11-06", "1.5", "1e3", "-x",
     "a: b", "a #b", "[x]", "{y}", "x,y", "- z", "? q", "'s", '"d"', "tab\there", " lead",
     "trail ", "line\nbreak", "\u2028", "\x85", "\ufeff", "ends:", "@at", "=sum", "%p",
     "Kemi-Tornio", "Lapin liitto", "Luleå"]))
DOCS = st.fixed_dictionaries({
    "plain": SCALARS,
    "names": st.dictionaries(st.sampled_from(["fi", "sv", "no", "se", "en"]), SCALARS,
                             max_size=4),
    "list": st.lists(SCALARS, max_size=4),
    "entries": st.lists(st.fixed_dictionaries({"id": SCALARS, "note": SCALARS,
                                               "name": st.dictionaries(st.sampled_from(
                                                   ["fi", "sv"]), SCALARS, max_size=2),
                                               "more": st.lists(SCALARS, max_size=3),
                                               "deep": st.fixed_dictionaries(
                                                   {"a": SCALARS, "b": SCALARS, "c": SCALARS,
                                                    "d": SCALARS, "e": SCALARS})}),
                        max_size=3),
})


@settings(max_examples=400, deadline=None)
@given(DOCS)
def test_what_goes_in_loads_back(doc):
    text = dump_fast(doc)
    root, problems = read(text)
    assert not problems, (text, problems)
    assert to_plain(root) == doc
    assert yaml.safe_load(text) == doc


def test_the_house_style_of_dump():
    doc = {"projects": [{"id": "a", "name": {"fi": "A"}, "areas": ["fi-kemi", "no"],
                         "funding": {"total": 1, "currency": "EUR", "sources": [
                             {"funders": ["b"], "amount": 1}]}}]}
    assert dump_fast(doc) == dump(doc)
