"""The pure rules: quiet hours, backoff, decisions, classification, tokens, routing,
locale fallback, digests, local time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from sinergi_notify.domain.classify import classify_http, classify_smtp, retry_after_s
from sinergi_notify.domain.delivery import (
    Defer,
    Gate,
    Outcome,
    RetryPolicy,
    Send,
    Skip,
    after_attempt,
    decide,
    next_in_ladder,
)
from sinergi_notify.domain.digest import digest_source_id, next_digest_at
from sinergi_notify.domain.localtime import format_local
from sinergi_notify.domain.preferences import Preferences, route
from sinergi_notify.domain.quiet_hours import QuietHours
from sinergi_notify.domain.templates import TemplateSource, locale_chain, pick
from sinergi_notify.domain.unsubscribe import InvalidTokenError, UnsubscribeScope, sign, verify

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")


def at_wib(hour: int, minute: int = 0, day: int = 22) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (at_wib(20, 59), None),
        (at_wib(21, 0), at_wib(6, 0, day=23)),
        (at_wib(23, 30), at_wib(6, 0, day=23)),
        (at_wib(2, 0), at_wib(6, 0)),
        (at_wib(6, 0), None),
    ],
)
def test_quiet_hours_cross_midnight_in_the_recipients_zone(
    now: datetime, until: datetime | None
) -> None:
    assert QuietHours().until(now, WIB) == until


def test_quiet_hours_follow_the_recipients_own_zone() -> None:
    # 20:30 WIB is 21:30 WITA: quiet for a recipient in Makassar, not in Jombang.
    now = at_wib(20, 30)
    assert QuietHours().until(now, WIB) is None
    assert QuietHours().until(now, WITA) == datetime(2026, 11, 23, 6, 0, tzinfo=WITA)
    assert QuietHours(time(13, 0), time(14, 0)).until(at_wib(13, 30), WIB) == at_wib(14, 0)
    assert QuietHours(time(0, 0), time(0, 0)).until(at_wib(3), WIB) is None


def test_the_zone_is_the_recipients_choice_then_their_home_then_the_default() -> None:
    assert Preferences(timezone="Asia/Jayapura").zone("Asia/Makassar", "Asia/Jakarta").key == (
        "Asia/Jayapura"
    )
    assert Preferences().zone("Asia/Makassar", "Asia/Jakarta") == WITA
    assert Preferences().zone(None, "Asia/Jakarta") == WIB
    # A name the time zone database does not know never fails a send.
    assert Preferences(timezone="Mars/Olympus").zone("Atlantis/Lost", "Asia/Jakarta") == WIB


def gate(**changes: object) -> Gate:
    values: dict[str, object] = {
        "now": at_wib(22),
        "expires_at": None,
        "urgent": False,
        "erased": False,
        "consented": True,
        "opted_out": False,
        "suppressed": False,
        "quiet_hours": QuietHours(),
        "timezone": WIB,
    }
    values.update(changes)
    return Gate(**values)


def test_decide_skips_defers_or_sends() -> None:
    assert decide(gate()) == Defer(at_wib(6, day=23))
    assert decide(gate(urgent=True)) == Send()
    assert decide(gate(expires_at=at_wib(23))) == Send()  # would expire before the morning
    assert decide(gate(expires_at=at_wib(21))) == Skip("expired")
    assert decide(gate(opted_out=True)) == Skip("opted_out")
    assert decide(gate(suppressed=True)) == Skip("suppressed")
    assert decide(gate(consented=False)) == Skip("no_consent")
    assert decide(gate(erased=True, opted_out=True)) == Skip("erased")
    assert decide(gate(now=at_wib(10))) == Send()


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay_s=30, max_delay_s=600, jitter=0.25)
    assert policy.delay_s(1, None, lambda: 0.5) == 30
    assert policy.delay_s(3, None, lambda: 0.5) == 120
    assert policy.delay_s(10, None, lambda: 0.5) == 600
    assert policy.delay_s(2, None, lambda: 0.0) == 45
    assert policy.delay_s(2, None, lambda: 1.0) == 75
    assert policy.delay_s(1, 300, lambda: 0.5) == 300


def test_after_attempt_retries_escalates_or_gives_up() -> None:
    now = at_wib(10)
    policy = RetryPolicy(max_attempts=3, base_delay_s=10)

    def after(outcome: Outcome, attempts: int, following: str | None = None) -> tuple:
        t = after_attempt(
            outcome,
            attempts=attempts,
            now=now,
            policy=policy,
            next_channel=following,
            rand=lambda: 0.5,
        )
        return t.state, t.next_attempt_at, t.escalate_to

    assert after(Outcome("sent"), 1) == ("sent", None, None)
    assert after(Outcome("temporary", retry_after_s=60), 1) == (
        "retrying",
        now + timedelta(seconds=60),
        None,
    )
    assert after(Outcome("temporary"), 3, "email") == ("dead", None, None)
    assert after(Outcome("permanent"), 1, "email") == ("failed", None, "email")
    assert after(Outcome("permanent"), 1) == ("dead", None, None)
    assert next_in_ladder(("whatsapp", "email", "sms"), "email") == ("sms",)
    assert next_in_ladder(("email",), "whatsapp") == ()


def test_provider_answers_are_classified() -> None:
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert classify_http(202, None, now).kind == "sent"
    assert classify_http(429, "7", now).retry_after_s == 7
    assert classify_http(503, "Sun, 22 Nov 2026 03:01:00 GMT", now).retry_after_s == 60
    assert classify_http(500, None, now).kind == "temporary"
    assert classify_http(404, None, now).kind == "permanent"
    assert retry_after_s("soon", now) is None
    assert classify_smtp(451, "4.3.0 try later").kind == "temporary"
    bounce = classify_smtp(550, "5.1.1 <x@example.id>: user unknown")
    assert (bounce.kind, bounce.hard_bounce) == ("permanent", True)
    policy = classify_smtp(554, "5.7.1 message refused")
    assert (policy.kind, policy.hard_bounce) == ("permanent", False)


def test_unsubscribe_tokens_are_signed() -> None:
    scope = UnsubscribeScope(uuid4(), "invitation", "email", "en")
    token = sign(b"kunci", scope)
    assert verify(b"kunci", token) == scope
    with pytest.raises(InvalidTokenError):
        verify(b"kunci lain", token)
    with pytest.raises(InvalidTokenError):
        verify(b"kunci", token[:-2] + "AA")
    with pytest.raises(InvalidTokenError):
        verify(b"kunci", "bukan-token")
    forged = sign(b"kunci", UnsubscribeScope(scope.recipient_id, "spam", "email"))
    with pytest.raises(InvalidTokenError):
        verify(b"kunci", forged)


def test_routing_follows_the_ladder_and_preferences() -> None:
    addresses = {"email": "a@example.id", "whatsapp": "+628123456789"}
    everything = ("email", "whatsapp", "telegram", "sms")

    def channels(prefs: Preferences, ladder: tuple = ("whatsapp", "email", "sms")) -> tuple:
        chosen = route(
            category="reminder",
            ladder=ladder,
            addresses=addresses,
            configured=everything,
            preferences=prefs,
        )
        return chosen.channels, chosen.opted_out

    assert channels(Preferences()) == (("whatsapp", "email"), False)
    no_wa = Preferences(opted_out=frozenset({("reminder", "whatsapp")}))
    assert channels(no_wa) == (("email",), False)
    nothing = Preferences(opted_out=frozenset({("*", "*")}))
    assert channels(nothing) == (("whatsapp",), True)
    assert channels(Preferences(), ladder=("telegram",)) == ((), False)


def test_templates_fall_back_to_english_then_indonesian() -> None:
    def source(locale: str, version: int = 1) -> TemplateSource:
        return TemplateSource(uuid4(), "invitation", "email", locale, version, "s", "t")

    assert locale_chain("id") == ("id", "en")
    assert locale_chain("en") == ("en", "id")
    assert pick([source("en"), source("id", 1), source("id", 2)], "id").version == 2
    assert pick([source("en")], "id").locale == "en"
    assert pick([source("id")], "en").locale == "id"
    assert pick([], "id") is None


def test_digests_are_due_at_the_next_local_hour_with_a_stable_id() -> None:
    assert next_digest_at(at_wib(7, 59), WIB, 8) == at_wib(8)
    assert next_digest_at(at_wib(8, 0), WIB, 8) == at_wib(8, day=23)
    recipient = uuid4()
    assert digest_source_id(recipient, "email", at_wib(8)) == digest_source_id(
        recipient, "email", at_wib(8)
    )
    assert digest_source_id(recipient, "email", at_wib(8)) != digest_source_id(
        recipient, "email", at_wib(8, day=23)
    )


def test_local_time_reads_naturally() -> None:
    moment = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert format_local(moment, WIB, "id") == "Sabtu, 28 November 2026 09.00 WIB"
    assert format_local(moment, WIB, "en") == "Saturday, 28 November 2026 09:00 WIB"
    assert format_local(moment, WITA, "en") == "Saturday, 28 November 2026 10:00 WITA"
