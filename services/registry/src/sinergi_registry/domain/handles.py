"""One canonical handle per account and platform, whatever form it was typed in: a bare
handle, ``@handle``, or any of the profile URLs each platform has used."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from sinergi_kit.contracts.registry import Platform


class InvalidHandleError(ValueError):
    pass


_DOMAINS: dict[Platform, tuple[str, ...]] = {
    "instagram": ("instagram.com", "instagr.am"),
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "x": ("x.com", "twitter.com"),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com",),
    "threads": ("threads.net", "threads.com"),
    "telegram": ("t.me", "telegram.me", "telegram.dog"),
    "whatsapp_channel": ("whatsapp.com",),
    "website": (),
}
_USERNAME: dict[Platform, re.Pattern[str]] = {
    "instagram": re.compile(r"^[a-z0-9._]{1,30}$"),
    "threads": re.compile(r"^[a-z0-9._]{1,30}$"),
    "facebook": re.compile(r"^[a-z0-9.\-]{1,80}$"),
    "x": re.compile(r"^[a-z0-9_]{1,15}$"),
    "tiktok": re.compile(r"^[a-z0-9._]{2,24}$"),
    "youtube": re.compile(r"^[a-z0-9._\-]{3,100}$"),
    "telegram": re.compile(r"^[a-z0-9_]{4,32}$"),
}
_NUMERIC_ID = re.compile(r"^[0-9]{5,20}$")
_YOUTUBE_CHANNEL = re.compile(r"^UC[A-Za-z0-9_\-]{22}$")
_WHATSAPP_CHANNEL = re.compile(r"^[A-Za-z0-9]{16,40}$")
_HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_RESERVED = {
    "instagram": {"p", "reel", "reels", "tv", "explore", "accounts", "direct"},
    "x": {"i", "intent", "home", "search", "hashtag", "share", "explore", "settings"},
    "facebook": {"watch", "groups", "events", "sharer", "sharer.php", "login", "story.php"},
}


def _is_url(platform: Platform, value: str) -> bool:
    lowered = value.lower()
    if "://" in lowered or lowered.startswith("www."):
        return True
    host = lowered.split("/", 1)[0]
    if platform == "website":
        return True
    return any(host == d or host.endswith("." + d) for d in _DOMAINS[platform])


def _path_and_query(platform: Platform, value: str) -> tuple[str, list[str], dict[str, list[str]]]:
    parts = urlsplit(value if "://" in value else "https://" + value)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if platform != "website" and not any(
        host == d or host.endswith("." + d) for d in _DOMAINS[platform]
    ):
        raise InvalidHandleError(value)
    segments = [s for s in parts.path.split("/") if s]
    return host, segments, parse_qs(parts.query)


def _username(platform: Platform, value: str) -> str:
    handle = value.strip().lstrip("@").lower()
    if not _USERNAME[platform].match(handle):
        raise InvalidHandleError(value)
    return handle


def _instagram_like(platform: Platform) -> Callable[[str], str]:
    def normalise(value: str) -> str:
        if not _is_url(platform, value):
            return _username(platform, value)
        _, segments, _ = _path_and_query(platform, value)
        if segments[:1] == ["stories"] and len(segments) > 1:
            segments = segments[1:]
        if not segments or segments[0].lower() in _RESERVED.get(platform, set()):
            raise InvalidHandleError(value)
        return _username(platform, segments[0])

    return normalise


def _facebook(value: str) -> str:
    if not _is_url("facebook", value):
        return _username("facebook", value)
    _, segments, query = _path_and_query("facebook", value)
    lowered = [s.lower() for s in segments]
    if lowered[:1] == ["profile.php"]:
        ids = query.get("id", [])
        if ids and _NUMERIC_ID.match(ids[0]):
            return ids[0]
        raise InvalidHandleError(value)
    if lowered[:1] in (["pages"], ["people"]) and len(segments) >= 2:
        # /pages/<Name>/<id> and /people/<Name>/<id>: the id is the stable part
        if _NUMERIC_ID.match(segments[-1]):
            return segments[-1]
        return _username("facebook", segments[1])
    if lowered[:1] == ["pg"] and len(segments) >= 2:
        segments = segments[1:]
    if not segments or segments[0].lower() in _RESERVED["facebook"]:
        raise InvalidHandleError(value)
    return _username("facebook", segments[0])


def _x(value: str) -> str:
    if not _is_url("x", value):
        return _username("x", value)
    # old "hashbang" links: twitter.com/#!/name
    _, segments, _ = _path_and_query("x", value.replace("/#!/", "/", 1))
    if not segments or segments[0].lower() in _RESERVED["x"]:
        raise InvalidHandleError(value)
    return _username("x", segments[0])


def _tiktok(value: str) -> str:
    if not _is_url("tiktok", value):
        return _username("tiktok", value)
    host, segments, _ = _path_and_query("tiktok", value)
    if host.startswith(("vm.", "vt.")) or not segments or not segments[0].startswith("@"):
        raise InvalidHandleError(value)  # short links need resolving; only profiles here
    return _username("tiktok", segments[0])


def _youtube(value: str) -> str:
    """``@handle`` → ``handle``; ``/channel/UC…`` → ``channel:UC…`` (ids are case-sensitive);
    legacy ``/c/Name`` and ``/user/Name`` → ``c:name`` and ``user:name``."""
    if not _is_url("youtube", value):
        if _YOUTUBE_CHANNEL.match(value.strip()):
            return "channel:" + value.strip()
        return _username("youtube", value)
    _, segments, _ = _path_and_query("youtube", value)
    if not segments:
        raise InvalidHandleError(value)
    head = segments[0]
    if head.startswith("@"):
        return _username("youtube", head)
    if head == "channel" and len(segments) > 1 and _YOUTUBE_CHANNEL.match(segments[1]):
        return "channel:" + segments[1]
    if head in ("c", "user") and len(segments) > 1:
        return f"{head}:{_username('youtube', segments[1])}"
    raise InvalidHandleError(value)


def _telegram(value: str) -> str:
    if not _is_url("telegram", value):
        return _username("telegram", value)
    _, segments, _ = _path_and_query("telegram", value)
    if segments[:1] == ["s"]:
        segments = segments[1:]
    if not segments or segments[0].startswith("+") or segments[0] == "joinchat":
        raise InvalidHandleError(value)  # private invite links name no public channel
    return _username("telegram", segments[0])


def _whatsapp_channel(value: str) -> str:
    candidate = value.strip()
    if _is_url("whatsapp_channel", candidate):
        _, segments, _ = _path_and_query("whatsapp_channel", candidate)
        if len(segments) < 2 or segments[0] != "channel":
            raise InvalidHandleError(value)
        candidate = segments[1]
    if not _WHATSAPP_CHANNEL.match(candidate):
        raise InvalidHandleError(value)
    return candidate


def _website(value: str) -> str:
    host, _, _ = _path_and_query("website", value.strip())
    host = host.rstrip(".")
    if not _HOST.match(host):
        raise InvalidHandleError(value)
    return host


_NORMALISERS: dict[Platform, Callable[[str], str]] = {
    "instagram": _instagram_like("instagram"),
    "threads": _instagram_like("threads"),
    "facebook": _facebook,
    "x": _x,
    "tiktok": _tiktok,
    "youtube": _youtube,
    "telegram": _telegram,
    "whatsapp_channel": _whatsapp_channel,
    "website": _website,
}


def normalise_handle(platform: Platform, raw: str) -> str:
    """The canonical handle of ``raw`` on ``platform``; raises ``InvalidHandleError``."""
    value = raw.strip()
    # str.split() breaks at the same (Unicode) whitespace as str.isspace(), without a
    # Python-level loop over the characters
    if not value or len(value) > 500 or len(value.split()) != 1:
        raise InvalidHandleError(raw)
    return _NORMALISERS[platform](value)


def profile_url(platform: Platform, handle: str) -> str:
    """The canonical public address of an account."""
    if platform == "youtube":
        kind, _, name = handle.partition(":")
        return (
            f"https://www.youtube.com/{kind}/{name}"
            if name
            else f"https://www.youtube.com/@{handle}"
        )
    if platform == "facebook" and handle.isdigit():
        return f"https://www.facebook.com/profile.php?id={handle}"
    return {
        "instagram": f"https://www.instagram.com/{handle}/",
        "facebook": f"https://www.facebook.com/{handle}",
        "x": f"https://x.com/{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "threads": f"https://www.threads.net/@{handle}",
        "telegram": f"https://t.me/{handle}",
        "whatsapp_channel": f"https://whatsapp.com/channel/{handle}",
        "website": f"https://{handle}",
    }[platform]
