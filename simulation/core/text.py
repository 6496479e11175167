"""User text made safe to show: no character that hides, reorders or rewrites what is around it."""

from __future__ import annotations

import unicodedata

#: Control characters that are layout, not content.
_LAYOUT = {"\n", "\t"}


def hidden(text: str) -> list[str]:
    """The control and formatting characters in ``text`` (newlines and tabs aside)."""
    if text.isprintable():  # no Cc or Cf (nor Zl, Zp, Cs, Co, Cn, Zs but space): the common case
        return []
    return [c for c in text
            if c not in _LAYOUT and unicodedata.category(c) in ("Cc", "Cf")]


def visible(text: str) -> str:
    """``text`` with each control or formatting character written out by code point (``<U+202E>``).

    A right-to-left override (U+202E) would otherwise reverse what follows it ("-40%" shows as
    "%04-"), a zero-width space would hide a difference between two names, and a carriage
    return or escape sequence would rewrite a terminal line. Newlines and tabs are kept.
    """
    if not hidden(text):
        return text
    return "".join(f"<U+{ord(c):04X}>" if c not in _LAYOUT and unicodedata.category(c)
                   in ("Cc", "Cf") else c for c in text)
