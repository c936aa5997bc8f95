"""The bounded YAML 1.2 core reader."""

from __future__ import annotations

import pytest

from graph.loader import yamlread
from graph.loader.yamlread import Mapping, YamlError, read, to_plain


def plain(text: str):
    root, problems = read(text)
    assert not problems
    return to_plain(root)


@pytest.mark.parametrize(
    "text, value",
    [
        ("NO", "NO"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("Yes", "Yes"),
        ("true", True), ("False", False), ("~", None), ("null", None), ("", None),
        ("047", 47), ("0755", 755), ("0o17", 15), ("0x1F", 31), ("1.5", 1.5), ("2008", 2008),
        ("2008-11-06", "2008-11-06"), ("1_000", "1_000"), ("'047'", "047"), ("!!str 047", "047"),
    ],
)
def test_yaml_12_core_scalars(text, value):
    assert plain(f"a: {text}\n") == {"a": value}


def test_exact_source_text_is_kept():
    root, _ = read("code: 047\nf: 70.0\n")
    assert root["code"].text == "047" and root["f"].text == "70.0"


def test_line_numbers_on_every_node():
    root, _ = read("a:\n  - x\n  - {b: 1}\nc: 2\n")
    assert root.key_lines == {"a": 1, "c": 4}
    assert root["a"][0].line == 2 and root["a"][1].line == 3 and root["a"][1].key_lines["b"] == 3


def test_duplicate_keys_are_all_reported_and_the_first_kept():
    root, problems = read("a: 1\nb: 2\na: 3\nb: 4\n")
    assert [p.line for p in problems] == [3, 4]
    assert "first defined at line 1" in problems[0].message
    assert to_plain(root) == {"a": 1, "b": 2}


@pytest.mark.parametrize("tag", ["!!binary aGk=", "!python/object:os.system x", "!foo bar",
                                 "!!timestamp 2001-12-14", "!!set {a}"])
def test_custom_tags_are_refused(tag):
    _, problems = read(f"a: {tag}\n")
    assert problems and "tag" in problems[0].message


def test_aliases_are_expanded_as_shared_nodes():
    assert plain("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghijk"[:levels]:
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]\n"
        prev = name
    return text


def test_alias_bomb_is_refused_before_expanding_it():
    with pytest.raises(YamlError) as info:
        read(billion_laughs())
    assert "1,000,000 nodes" in info.value.message
    assert info.value.line <= 7  # stopped as soon as the count passed the limit


@pytest.mark.parametrize("depth", [101, 200_000])
def test_deep_nesting_is_refused_without_recursion(depth):
    with pytest.raises(YamlError) as info:
        read("[" * depth + "]" * depth)
    assert "depth" in info.value.message


def test_depth_100_is_allowed_and_aliases_count_towards_depth():
    nested = "[" * 99 + "]" * 99
    assert isinstance(read(f"a: {nested}\n")[0], Mapping)
    with pytest.raises(YamlError):
        read(f"a: &x {nested}\nb: [*x]\n")


def test_node_limit_counts_alias_expansion():
    # map 1 + key a 1 + seq 4 + key b 1 + seq 1 + each alias 4 (keys count as nodes)
    read("a: &x [1, 2, 3]\nb: [*x, *x]\n", max_nodes=16)
    with pytest.raises(YamlError):
        read("a: &x [1, 2, 3]\nb: [*x, *x, *x]\n", max_nodes=16)


def test_second_document_is_refused():
    with pytest.raises(YamlError) as info:
        read("a: 1\n---\nb: 2\n")
    assert info.value.line == 2


def test_syntax_error_has_a_line():
    with pytest.raises(YamlError) as info:
        read("a: [1,\nb: 2\n  c: 3\n")
    assert info.value.line is not None and "not valid YAML" in info.value.message


def test_control_character_is_reported_at_its_line():
    with pytest.raises(YamlError) as info:
        read("a: 1\nb: x\x07y\n")
    assert info.value.line == 2


def test_not_utf8_is_reported_at_the_line_of_the_first_bad_byte():
    with pytest.raises(YamlError) as info:
        yamlread.decode("a: 1\nb: 2\nc: K\xe4\n".encode("latin-1"))
    assert info.value.line == 3 and "0xe4" in info.value.message


def test_bom_is_accepted():
    assert yamlread.decode("\ufeffa: 1\n".encode()) == "a: 1\n"


def test_libyaml_parser_is_used_when_pyyaml_has_it():
    import yaml

    assert yamlread.LIBYAML == yaml.__with_libyaml__
    assert yamlread._Parser.__module__.startswith("yaml._yaml") or not yaml.__with_libyaml__


def test_a_scalar_adds_no_level_of_nesting():
    assert read("{a: " * 100 + "1" + "}" * 100)[0] is not None  # 100 mappings, then a value
    with pytest.raises(YamlError):
        read("{a: " * 101 + "1" + "}" * 101)


@pytest.mark.parametrize("escape", ["\\x01", "\\0", "\\x7f", "\\x9b", "\\uFFFE", "\\e"])
def test_control_characters_written_as_escapes_are_refused(escape):
    _, problems = read(f'a: "x{escape}y"\n')
    assert problems and "not allowed in text" in problems[0].message


@pytest.mark.parametrize("escape", ["\\t", "\\n", "\\N", "\\L", "\\u00e4"])
def test_printable_escapes_are_kept(escape):
    root, problems = read(f'a: "x{escape}y"\n')
    assert not problems and root["a"].value.startswith("x")
