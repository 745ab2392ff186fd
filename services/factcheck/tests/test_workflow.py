"""The case workflow: only legal transitions, time limits per urgency, overdue detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from sinergi_factcheck.domain.cases import TRANSITIONS, Case, IllegalTransitionError
from sinergi_kit.contracts.factcheck import CaseFlags

T0 = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)
ELECTION = CaseFlags(election=True)


def new_case() -> Case:
    return Case.open(uuid4(), "KPU menghapus pemilih yang tidak mencoblos", (), T0)


def test_the_happy_path_walks_every_step_and_bumps_the_version() -> None:
    case = new_case()
    org = uuid4()
    case = case.triage("high", CaseFlags(), T0)
    case = case.assign("verifier-1", org, T0)
    case = case.submit_for_review(T0)
    case = case.approve(T0)
    case = case.publish(T0)
    case = case.correct(T0)
    case = case.retract(T0)
    assert case.status == "retracted"
    assert case.version == 8
    assert case.organization_id == org
    assert case.state().status == "retracted"


@pytest.mark.parametrize(
    ("steps", "wanted"),
    [
        ([], "approve"),
        ([], "publish"),
        (["triage"], "submit_for_review"),
        (["triage", "assign"], "approve"),
        (["triage", "assign", "submit_for_review"], "publish"),
        (["reject"], "assign"),
    ],
)
def test_illegal_transitions_are_refused(steps: list[str], wanted: str) -> None:
    case = new_case()
    for step in steps:
        case = _step(case, step)
    with pytest.raises(IllegalTransitionError) as refused:
        _step(case, wanted)
    assert refused.value.current == case.status


def _step(case: Case, name: str) -> Case:
    if name == "triage":
        return case.triage("normal", CaseFlags(), T0)
    if name == "assign":
        return case.assign("v", None, T0)
    if name == "reject":
        return case.reject("spam", T0)
    method = getattr(case, name)
    result: Case = method(T0)
    return result


def test_terminal_statuses_lead_nowhere() -> None:
    assert TRANSITIONS["retracted"] == frozenset()
    assert TRANSITIONS["merged"] == frozenset()


def test_rejection_keeps_its_reason_and_can_be_reopened() -> None:
    rejected = new_case().reject("opinion", T0)
    assert rejected.rejection_reason == "opinion"
    reopened = rejected.triage("low", CaseFlags(), T0)
    assert reopened.status == "triage" and reopened.rejection_reason is None


def test_send_back_only_from_review() -> None:
    case = new_case().triage("normal", CaseFlags(), T0).assign("v", None, T0)
    with pytest.raises(IllegalTransitionError):
        case.send_back(T0)
    assert case.submit_for_review(T0).send_back(T0).status == "investigating"


def test_merge_moves_reports_and_urls_to_the_target() -> None:
    a = Case.open(uuid4(), "klaim", ("https://x.com/i/status/1",), T0)
    b = Case.open(uuid4(), "klaim", ("https://x.com/i/status/2",), T0).add_report((), T0)
    merged, grown = b.merge_into(a, T0)
    assert merged.status == "merged" and merged.merged_into == a.id
    assert grown.report_count == 3
    assert grown.urls == ("https://x.com/i/status/1", "https://x.com/i/status/2")
    with pytest.raises(IllegalTransitionError):
        a.merge_into(a, T0)
    published = a.triage("normal", CaseFlags(), T0).assign("v", None, T0)
    published = published.submit_for_review(T0).approve(T0).publish(T0)
    with pytest.raises(IllegalTransitionError):
        published.merge_into(grown, T0)


def test_election_cases_get_shorter_time_limits() -> None:
    plain = new_case().triage("high", CaseFlags(), T0)
    election = new_case().triage("high", ELECTION, T0)
    assert plain.due_at == T0 + timedelta(hours=24)
    assert election.due_at == T0 + timedelta(hours=12)
    critical = new_case().triage("critical", ELECTION, T0)
    assert critical.due_at == T0 + timedelta(hours=3)


def test_overdue_only_while_the_case_is_open() -> None:
    case = new_case().triage("critical", CaseFlags(), T0)
    assert not case.is_overdue(T0 + timedelta(hours=5))
    assert case.is_overdue(T0 + timedelta(hours=7))
    done = case.assign("v", None, T0).submit_for_review(T0).approve(T0).publish(T0)
    assert not done.is_overdue(T0 + timedelta(days=30))
