"""Search terms: what a name or handle can be found by (prefixes of its words)."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[0-9a-z]+")
MAX_TERM = 64


def fold(text: str) -> str:
    """Lower case without accents, so ``Pendopo``, ``PENDOPO`` and ``Pendópo`` meet."""
    if text.isascii():  # nothing to decompose, and ASCII case folding is lower()
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(*texts: str) -> set[str]:
    """The words of the texts, and each text whole (so ``diskominfo.jombang`` is found by
    ``diskominfo``, ``jombang`` and ``diskominfo.jombang``)."""
    found: set[str] = set()
    for text in texts:
        folded = fold(text).strip()
        if folded:
            found.add(folded[:MAX_TERM])
        found.update(word[:MAX_TERM] for word in _WORD.findall(folded))
    return found


def query_words(query: str) -> list[str]:
    """What each match must have a term starting with: one query without spaces is taken
    whole (``akun.12`` prefixes the handle ``akun.123``, which is indexed whole), else each
    of its words."""
    folded = fold(query).strip()
    if folded and not any(c.isspace() for c in folded):
        return [folded[:MAX_TERM]]
    return [w[:MAX_TERM] for w in _WORD.findall(folded)]


def tag_term(tag: str) -> str:
    """Tags are indexed beside the words, marked so a word never matches a tag."""
    return "#" + fold(tag).strip()[: MAX_TERM - 1]
