"""The shared segment evaluation: one meaning of a segment in every service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sinergi_kit.contracts.registry import AccountState, ConsentRecord, PersonState
from sinergi_kit.contracts.segments import (
    SegmentFilter,
    account_matches,
    matching_accounts,
    matching_people,
    person_matches,
)

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def account(**changes: object) -> AccountState:
    values: dict[str, object] = {
        "id": uuid4(),
        "version": 1,
        "platform": "instagram",
        "handle": "diskominfo.jombang",
        "display_name": "Diskominfo Jombang",
        "managed_by": "government",
        "category": "government",
        "district": "Jombang",
        "tags": ["pemilu"],
        "followers": 12_000,
        "organization_kind": "government_office",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return AccountState.model_validate(values | changes)


def person(**changes: object) -> PersonState:
    values: dict[str, object] = {
        "id": uuid4(),
        "version": 1,
        "name": "Siti Rahmawati",
        "roles": ["account_admin"],
        "created_at": NOW,
        "updated_at": NOW,
    }
    return PersonState.model_validate(values | changes)


def test_an_empty_filter_matches_everything() -> None:
    assert account_matches(SegmentFilter(), account(followers=None, district=None))
    assert person_matches(SegmentFilter(), person(roles=[]), [])


def test_values_within_a_criterion_are_alternatives_and_criteria_combine() -> None:
    segment = SegmentFilter(platforms=["instagram", "tiktok"], managed_by=["government"])
    assert account_matches(segment, account(platform="tiktok"))
    assert not account_matches(segment, account(platform="youtube"))
    assert not account_matches(segment, account(managed_by="independent", category="influencer"))


def test_districts_and_tags_ignore_case() -> None:
    segment = SegmentFilter(districts=["DIWEK"], tags=["Pemilu", "hoaks"])
    assert account_matches(segment, account(district="Diwek"))
    assert not account_matches(segment, account(district="Ploso"))
    assert not account_matches(segment, account(district=None))
    assert not account_matches(segment, account(district="Diwek", tags=["budaya"]))


def test_minimum_followers_needs_a_known_count() -> None:
    segment = SegmentFilter(min_followers=10_000)
    assert account_matches(segment, account(followers=10_000))
    assert not account_matches(segment, account(followers=9_999))
    assert not account_matches(segment, account(followers=None))


def test_organization_kind_and_verification_status() -> None:
    segment = SegmentFilter(organization_kinds=["media"], verification_statuses=["verified"])
    assert account_matches(
        segment, account(organization_kind="media", verification_status="verified")
    )
    assert not account_matches(segment, account(organization_kind="media"))
    assert not account_matches(segment, account(organization_kind=None))


def test_a_person_matches_through_an_account_they_manage() -> None:
    segment = SegmentFilter(managed_by=["independent"], roles=["account_admin", "influencer"])
    independent = account(managed_by="independent", category="influencer")
    government = account()
    admin = person(managed_account_ids=[independent.id, government.id])
    assert person_matches(segment, admin, [government, independent])
    assert not person_matches(segment, admin, [government])
    assert not person_matches(segment, person(roles=["speaker"]), [independent])


def test_a_person_matches_on_their_own_organisation_kind() -> None:
    segment = SegmentFilter(organization_kinds=["partner_body"])
    assert person_matches(segment, person(organization_kind="partner_body"), [])
    assert not person_matches(segment, person(organization_kind="media"), [])


def test_consent_is_decided_by_the_newest_record() -> None:
    granted = ConsentRecord(
        purpose="event_invitations", granted=True, recorded_at=NOW, source="form"
    )
    withdrawn = ConsentRecord(
        purpose="event_invitations",
        granted=False,
        recorded_at=NOW + timedelta(days=1),
        source="whatsapp",
    )
    segment = SegmentFilter(consent_purpose="event_invitations")
    assert person_matches(segment, person(consents=[granted]), [])
    assert not person_matches(segment, person(consents=[withdrawn, granted]), [])
    assert not person_matches(segment, person(), [])


def test_matching_over_a_projection() -> None:
    government, independent = account(), account(managed_by="independent", category="community")
    admin = person(managed_account_ids=[independent.id])
    other = person(managed_account_ids=[government.id, uuid4()])
    segment = SegmentFilter(managed_by=["independent"])
    assert matching_accounts(segment, [government, independent]) == [independent]
    by_id = {a.id: a for a in (government, independent)}
    assert matching_people(segment, [admin, other], by_id) == [admin]
