"""graph.base.text: untrusted text as one printable line."""

from __future__ import annotations

import sys
import unicodedata

from graph.base.text import one_line


def test_the_fast_path_of_one_line_lets_no_control_character_through():
    """one_line returns a printable string as it is; no character that a terminal acts on
    (Cc, Cf) is printable, so none takes that path."""
    acting = [chr(i) for i in range(sys.maxunicode + 1)
              if unicodedata.category(chr(i)) in ("Cc", "Cf")]
    assert not any(c.isprintable() for c in acting)
    for c in acting:
        shown = one_line(f"a{c}b")
        assert c not in shown, repr(c)
    assert one_line("Lapin liitto – ääkköset") == "Lapin liitto – ääkköset"
