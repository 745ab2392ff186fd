"""The 21 kecamatan (districts) of Kabupaten Jombang, and their canonical spelling."""

from __future__ import annotations

DISTRICTS: tuple[str, ...] = (
    "Bandar Kedung Mulyo",
    "Bareng",
    "Diwek",
    "Gudo",
    "Jogoroto",
    "Jombang",
    "Kabuh",
    "Kesamben",
    "Kudu",
    "Megaluh",
    "Mojoagung",
    "Mojowarno",
    "Ngoro",
    "Ngusikan",
    "Perak",
    "Peterongan",
    "Plandaan",
    "Ploso",
    "Sumobito",
    "Tembelang",
    "Wonosalam",
)
_BY_KEY = {name.casefold().replace(" ", ""): name for name in DISTRICTS}


class UnknownDistrictError(ValueError):
    pass


def canonical_district(raw: str) -> str:
    """``kec. diwek``, ``Kecamatan DIWEK`` and ``Diwek`` are all ``Diwek``."""
    key = raw.strip().casefold()
    for prefix in ("kecamatan", "kec."):
        key = key.removeprefix(prefix)
    key = key.replace(" ", "")
    if key not in _BY_KEY:
        raise UnknownDistrictError(raw)
    return _BY_KEY[key]
