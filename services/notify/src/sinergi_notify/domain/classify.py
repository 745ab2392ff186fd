"""What a provider's answer means for a delivery: sent, try again later, or give up."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from sinergi_notify.domain.delivery import Outcome, sent

_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: a delay in seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def classify_http(
    status: int, retry_after: str | None, now: datetime, provider_id: str | None = None
) -> Outcome:
    """2xx sent; 408, 425, 429 and 5xx temporary (Retry-After honoured); other 4xx
    permanent."""
    if 200 <= status < 300:
        return sent(provider_id, status)
    detail = f"HTTP {status}"
    if status in (408, 425, 429) or status >= 500:
        return Outcome(
            "temporary", detail, retry_after_s=retry_after_s(retry_after, now), status=status
        )
    return Outcome("permanent", detail, status=status)


def classify_smtp(code: int, message: str) -> Outcome:
    """4xx temporary, 5xx permanent; a bad mailbox (5.1.x) is a hard bounce."""
    detail = f"SMTP {code} {message}".strip()[:500]
    if 400 <= code < 500:
        return Outcome("temporary", detail, status=code)
    enhanced = _ENHANCED.search(message)
    hard = enhanced is not None and enhanced.group(1) == "5" and enhanced.group(2) == "1"
    return Outcome("permanent", detail, hard_bounce=hard, status=code)
