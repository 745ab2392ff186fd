"""Indonesian-aware text normalisation for matching forwarded messages: lower case, no
punctuation or emoji, chat abbreviations and slang spelled out, numbers used as letters read
back as letters ("h0aks"), the reduplication digit expanded ("anak2" → "anak anak")."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

SLANG: dict[str, str] = {
    "yg": "yang",
    "yng": "yang",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "nggk": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "kagak": "tidak",
    "dgn": "dengan",
    "dg": "dengan",
    "dng": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "u": "untuk",
    "krn": "karena",
    "karna": "karena",
    "krna": "karena",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "blum": "belum",
    "bgt": "banget",
    "aja": "saja",
    "aj": "saja",
    "jg": "juga",
    "jga": "juga",
    "dr": "dari",
    "dri": "dari",
    "dlm": "dalam",
    "kpd": "kepada",
    "tsb": "tersebut",
    "sy": "saya",
    "gw": "saya",
    "gue": "saya",
    "aku": "saya",
    "org": "orang",
    "orng": "orang",
    "pd": "pada",
    "sm": "sama",
    "kalo": "kalau",
    "klo": "kalau",
    "klu": "kalau",
    "gimana": "bagaimana",
    "gmn": "bagaimana",
    "tp": "tapi",
    "tpi": "tapi",
    "bs": "bisa",
    "bsa": "bisa",
    "lg": "lagi",
    "lgi": "lagi",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "hrs": "harus",
    "dpt": "dapat",
    "dapet": "dapat",
    "bnyk": "banyak",
    "byk": "banyak",
    "trs": "terus",
    "trus": "terus",
    "jt": "juta",
    "jta": "juta",
    "rb": "ribu",
    "rbu": "ribu",
    "bpk": "bapak",
    "pak": "bapak",
    "bu": "ibu",
    "sblm": "sebelum",
    "stlh": "setelah",
    "spt": "seperti",
    "kyk": "seperti",
    "kayak": "seperti",
    "tlg": "tolong",
    "tolg": "tolong",
    "mhn": "mohon",
    "dll": "dan lain lain",
    "dsb": "dan sebagainya",
    "hoax": "hoaks",
    "hoaxs": "hoaks",
    "nyoblos": "mencoblos",
    "coblos": "mencoblos",
    "bansos": "bantuan sosial",
    "blt": "bantuan langsung tunai",
    "wa": "whatsapp",
    "hp": "ponsel",
    "info": "informasi",
    "infokan": "informasikan",
    "share": "sebarkan",
    "viralkan": "sebarkan",
    "sebarin": "sebarkan",
    "org2": "orang orang",
}

_LEET = str.maketrans(
    {"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t", "8": "b", "9": "g"}
)
_TOKEN = re.compile(r"[a-z0-9]+")
_REDUPLICATED = re.compile(r"^([a-z]{2,})2$")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_VOWEL = re.compile(r"[aeiou]")
_HAS_LETTER = re.compile(r"[a-z]")
_HAS_DIGIT = re.compile(r"[0-9]")
_LEETSPEAK = re.compile(r"^[a-z]+(?:[0-9][a-z]+)*[0-9]?$")
"""Single digits standing between letters ("h0aks", "pr0m0"), not amounts ("rp500")."""
_ALNUM_RUNS = re.compile(r"[a-z]+|[0-9]+")


class _MarksAndSymbols(dict[int, str]):
    """A ``str.translate`` table filled as characters are met: letters and digits stay,
    combining marks go, anything else becomes a space. Looking each character's category up
    once instead of on every report is most of the cost of normalising; the table stops
    growing at ``LIMIT`` characters, however many distinct ones are sent."""

    LIMIT = 100_000

    def __missing__(self, code: int) -> str:
        category = unicodedata.category(chr(code))
        kept = "" if category[0] == "M" else chr(code) if category[0] in "LN" else " "
        if len(self) < self.LIMIT:
            self[code] = kept
        return kept


_MARKS_AND_SYMBOLS = _MarksAndSymbols()


def _strip_marks_and_symbols(text: str) -> str:
    """Emoji, symbols, punctuation and combining marks become spaces."""
    return unicodedata.normalize("NFKD", text).translate(_MARKS_AND_SYMBOLS)


@functools.lru_cache(maxsize=50_000)
def _word(token: str) -> tuple[str, ...]:
    """The normalised words of one token (cached: a language repeats its words)."""
    if token in SLANG:
        return tuple(SLANG[token].split())
    reduplicated = _REDUPLICATED.match(token)
    if reduplicated:
        base = SLANG.get(reduplicated.group(1), reduplicated.group(1))
        return (base, base)
    if _HAS_LETTER.search(token) and _HAS_DIGIT.search(token):
        if _LEETSPEAK.match(token):
            token = token.translate(_LEET)
        else:  # an amount or a code: "rp500", "1jt", "covid19"
            return tuple(w for part in _ALNUM_RUNS.findall(token) for w in _word(part))
    if _VOWEL.search(token):  # "bangeeet" → "banget"; an acronym like "pppk" stays
        token = _REPEATS.sub(r"\1", token)
    return tuple(SLANG.get(token, token).split())


def tokens(text: str) -> list[str]:
    words: list[str] = []
    for token in _TOKEN.findall(_strip_marks_and_symbols(text.lower())):
        words.extend(_word(token))
    return words


def normalise_text(text: str) -> str:
    return " ".join(tokens(text))


def text_key(normalised: str) -> str:
    """The exact-match key: equal after normalisation means the same message."""
    return hashlib.sha256(normalised.encode()).hexdigest()
