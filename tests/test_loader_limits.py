"""Bad input the loader must refuse with a ``path:line: message`` and nothing worse: no
traceback, no hang, no memory in proportion to the attack (issue 15). What fits in a
small file is a case of the corpus (tests/corpus/bad/153-…); the rest is here."""

from __future__ import annotations

from graph.loader import yamlread
from graph.loader.yamlread import BigInt, read

DIGITS = "9" * 5000


def test_an_integer_too_long_to_convert_keeps_its_text():
    root, problems = read(f"a: {DIGITS}\nb: -000{DIGITS}\nc: !!int {DIGITS}\nd: 1{'0' * 4299}\n")
    assert not problems
    for key in "abc":
        assert isinstance(root[key].value, BigInt) and root[key].value.digits == 5000
    assert root["b"].text == f"-000{DIGITS}"
    assert root["d"].value == 10**4299  # the longest integer that is converted


def test_leading_zeros_do_not_count_towards_the_limit():
    root, _ = read(f"a: {'0' * 5000}7\nb: -{'0' * 5000}\n")
    assert root["a"].value == 7 and root["b"].value == 0
    assert yamlread.resolve_plain("+" + "0" * 5000 + "12") == 12
