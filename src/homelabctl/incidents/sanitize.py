"""Text from the incident log is printed to terminals and documents: no escape sequence or control
character in it may reach them (a title can hold ``\\x1b]52;...`` to write the clipboard, or clear the
screen). Newlines and tabs stay; everything else invisible goes."""

from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, clipboard, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]?"  # any other escape (and a lone ESC)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 (but newline and tab), DEL, C1, and the bidirectional overrides that make text read differently."""


def clean_text(text: str) -> str:
    if not text.isprintable() or "\x1b" in text:
        return _CONTROLS.sub("", _ESCAPES.sub("", text))
    return text
