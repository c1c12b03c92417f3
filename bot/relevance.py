"""Which configured keywords a feed item mentions: whole words, any case, any accents.

"ESS" finds "l'ESS" and "l’ESS" but not "professionals"; "economia social" finds
"Economia  Social"; "cooperativa" does not find "cooperatives" (configure both if wanted).
An empty keyword list matches nothing here: the caller then keeps every item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# Matching only (never written out): the one-character "ŀ" and look-alike dots read as "l·".
_MIDDLE_DOT_VARIANTS_CHARS = "ŀĿ\u2027\u22c5"
_APOSTROPHE_CHARS = "’ʼ‘´`"
_MIDDLE_DOT_VARIANTS = str.maketrans({"ŀ": "l·", "Ŀ": "L·", "\u2027": "·", "\u22c5": "·"})
_APOSTROPHE_VARIANTS = str.maketrans(dict.fromkeys(_APOSTROPHE_CHARS, "'"))
_VARIANT = re.compile(f"[{_MIDDLE_DOT_VARIANTS_CHARS}{_APOSTROPHE_CHARS}]")
# A "·" between letters is inside a word ("col·lectiu"), so it is no boundary.
_WORD_CHAR = r"[\w·]"


def matched_keywords(keywords: Sequence[str], *texts: str) -> tuple[str, ...]:
    """The keywords found in any of `texts`, each once, spelt and ordered as configured.

    Returns () for an empty `keywords`; by convention the caller then keeps every item."""
    haystack = "\n".join(_fold(text) for text in texts)
    found: dict[str, str] = {}
    for keyword in keywords:
        folded = _fold(keyword).strip()
        if folded and folded not in found and _pattern(folded).search(haystack):
            found[folded] = keyword
    return tuple(found.values())


def _fold(text: str) -> str:
    """Lower case, accents dropped, apostrophes and middle dots written one way.

    Every feed item passes here, so the translations run only when a variant is present."""
    if _VARIANT.search(text):
        text = text.translate(_MIDDLE_DOT_VARIANTS).translate(_APOSTROPHE_VARIANTS)
    decomposed = unicodedata.normalize("NFD", text.casefold())
    if decomposed.isascii():
        return decomposed
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=256)
def _pattern(folded_keyword: str) -> re.Pattern[str]:
    """Whole words only; any run of whitespace between the words of a phrase."""
    phrase = r"\s+".join(re.escape(word) for word in folded_keyword.split())
    return re.compile(rf"(?<!{_WORD_CHAR}){phrase}(?!{_WORD_CHAR})")
