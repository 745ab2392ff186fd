"""URLs people paste into a report, reduced to one canonical form per post: tracking
parameters stripped, redirect wrappers unwrapped, each platform's hosts and paths unified.
Anything that is not a plain web address is refused."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

MAX_URL_LENGTH = 2_048

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "igsh",
        "si",
        "feature",
        "ref",
        "ref_src",
        "ref_url",
        "mibextid",
        "rdid",
        "share_url",
        "share_id",
        "_ga",
        "_gl",
        "mc_cid",
        "mc_eid",
        "spm",
        "s",
        "t",
        "__cft__[0]",
        "__tn__",
        "_rdr",
        "_nc_cat",
        "is_from_webapp",
        "sender_device",
        "app",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "__cft__")

_HOST_ALIASES = {
    "fb.com": "facebook.com",
    "m.facebook.com": "facebook.com",
    "mbasic.facebook.com": "facebook.com",
    "web.facebook.com": "facebook.com",
    "touch.facebook.com": "facebook.com",
    "instagr.am": "instagram.com",
    "twitter.com": "x.com",
    "mobile.twitter.com": "x.com",
    "mobile.x.com": "x.com",
    "m.youtube.com": "youtube.com",
    "music.youtube.com": "youtube.com",
    "telegram.me": "t.me",
    "m.tiktok.com": "tiktok.com",
    "api.whatsapp.com": "wa.me",
}
_WRAPPERS = {
    ("l.facebook.com", "/l.php"): "u",
    ("lm.facebook.com", "/l.php"): "u",
    ("l.instagram.com", "/"): "u",
    ("google.com", "/url"): "q",
    ("youtube.com", "/redirect"): "q",
}
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"\\^`{|}]")


class InvalidUrlError(ValueError):
    pass


def _host(raw: str | None) -> str:
    host = (raw or "").lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidUrlError(raw) from exc
    if host.startswith("www."):
        host = host[4:]
    return _HOST_ALIASES.get(host, host)


def _query(pairs: list[tuple[str, str]], keep: frozenset[str] | None = None) -> str:
    kept = [
        (k, v)
        for k, v in pairs
        if (keep is None or k in keep)
        and k.lower() not in TRACKING_PARAMS
        and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlencode(sorted(kept))


def _platform_form(host: str, path: str, pairs: list[tuple[str, str]]) -> tuple[str, str, str]:
    segments = [s for s in path.split("/") if s]
    if host == "youtu.be" and segments:
        return "youtube.com", "/watch", urlencode({"v": segments[0]})
    if host == "youtube.com":
        if len(segments) >= 2 and segments[0] in ("shorts", "embed", "live", "v"):
            return host, "/watch", urlencode({"v": segments[1]})
        if segments[:1] == ["watch"]:
            return host, "/watch", _query(pairs, frozenset({"v"}))
    if (
        host == "instagram.com"
        and len(segments) >= 2
        and segments[0] in ("p", "reel", "reels", "tv")
    ):
        return host, f"/p/{segments[1]}", ""
    if host == "x.com" and len(segments) >= 3 and segments[1] == "status":
        return host, f"/i/status/{segments[2]}", ""
    if host == "tiktok.com" and len(segments) >= 3 and segments[1] == "video":
        return host, f"/{segments[0].lower()}/video/{segments[2]}", ""
    if host == "facebook.com":
        keep = frozenset({"story_fbid", "id", "v", "fbid", "set"})
        return host, path, _query(pairs, keep)
    return host, path, _query(pairs)


def normalise_url(raw: str) -> str:
    """The canonical form of a web address; raises :class:`InvalidUrlError` for anything
    that is not an ``http``/``https`` address of a real host name."""
    value = raw.strip()
    if not value or len(value) > MAX_URL_LENGTH or _FORBIDDEN.search(value):
        raise InvalidUrlError(raw)
    if "://" not in value:
        if ":" in value.split("/")[0]:  # javascript:…, data:…, mailto:…
            raise InvalidUrlError(raw)
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        raise InvalidUrlError(raw)
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidUrlError(raw) from exc
    host = _host(parts.hostname)
    if not _HOST.match(host):
        raise InvalidUrlError(raw)
    path = re.sub(r"/{2,}", "/", unquote(parts.path)) or "/"
    pairs = parse_qsl(parts.query, keep_blank_values=False)
    target = next(
        (
            v
            for (h, p), key in _WRAPPERS.items()
            if h == host and p == path
            for k, v in pairs
            if k == key
        ),
        None,
    )
    if target is not None:
        return normalise_url(target)
    host, path, query = _platform_form(host, path, pairs)
    if len(path) > 1:
        path = path.rstrip("/")
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    return urlunsplit(("https", netloc, path, query, ""))
