"""Untrusted text made safe to print on one line of a terminal or a Markdown list."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    r"""``text`` as one printable line: line breaks become spaces, and characters a
    terminal would act on (carriage return, escape, backspace, direction overrides…) are
    shown as ``\uXXXX`` instead of being sent.

    >>> one_line("ok\rOVERWRITTEN")
    'ok OVERWRITTEN'
    >>> one_line("evil\x1b[2Jtext \u202egnp.exe")
    'evil\\u001b[2Jtext \\u202egnp.exe'
    """
    text = _SPACE.sub(" ", text)
    if text.isprintable():  # no control or format character (C, per string): most lines
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c
                   for c in text)


def md_text(text: str) -> str:
    r"""Markdown-safe text on one line (:func:`one_line`): characters that would start
    markup, a table cell's ``|``, an HTML tag or entity (``&#x202E;``) or a mention are
    escaped, so a quote cannot start a heading, a list item, a tag or a character of its
    own.

    >>> md_text("<b>*x*</b> | #1")
    '\\<b\\>\\*x\\*\\</b\\> \\| \\#1'
    """
    text = one_line(text)
    for ch in "\\`*_[]<>|#&@":
        text = text.replace(ch, "\\" + ch)
    return text
