"""What every use case needs: the unit of work, the database, settings, the matcher, the
intake writer and the intake rates; plus who may act on which case."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sinergi_factcheck.adapters import rate_buckets
from sinergi_factcheck.adapters.repository import StaleStateError
from sinergi_factcheck.domain.cases import Case, IllegalTransitionError
from sinergi_factcheck.domain.ratelimit import Rate
from sinergi_factcheck.domain.verdicts import FourEyesError, InvalidVerdictError
from sinergi_factcheck.service_layer import messages as messages
from sinergi_factcheck.service_layer.intake import IntakeWriter
from sinergi_factcheck.service_layer.matching import Matcher
from sinergi_factcheck.settings import FactcheckSettings
from sinergi_kit.auth import Principal, Role
from sinergi_kit.db import Database
from sinergi_kit.http.problems import ProblemError
from sinergi_kit.uow import UnitOfWorkFactory


@dataclass
class Factcheck:
    uow: UnitOfWorkFactory
    db: Database
    settings: FactcheckSettings
    matcher: Matcher = field(init=False)
    intake: IntakeWriter = field(init=False)
    client_rate: Rate = field(init=False)
    contact_rate: Rate = field(init=False)
    share_link_rate: Rate = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.matcher = Matcher(s.match_suggest_threshold, s.match_merge_threshold)
        self.intake = IntakeWriter(self.uow, self.matcher)
        self.client_rate = Rate(s.intake_per_minute_per_client, s.intake_burst_per_client)
        self.contact_rate = Rate(s.intake_per_minute_per_contact, s.intake_burst_per_contact)
        self.share_link_rate = Rate(
            s.share_confirmations_per_minute_per_link, s.share_confirmation_burst_per_link
        )

    def charge(self, client: str, contact: str | None = None) -> rate_buckets.Charge:
        """The buckets a public request spends from: its client's, then its contact's (a
        contact comes hashed already; the client address is hashed here: no address is kept in
        the clear, and any length of forwarded address fits the key)."""
        client_key = hashlib.sha256(client.encode()).hexdigest()
        charge = [(f"client:{client_key}", self.client_rate)]
        if contact is not None:
            charge.append((f"contact:{contact}", self.contact_rate))
        return charge

    async def spend(self, charge: rate_buckets.Charge) -> float:
        """Charges a request that files no report; 0 if allowed, else the seconds to wait."""
        async with self.uow() as uow:
            (wait,) = await rate_buckets.take(uow.session, [charge], time.time())
        return wait

    def public_url(self, path: str) -> str:
        base = self.settings.public_base_url or f"http://127.0.0.1:{self.settings.http_port}"
        return base.rstrip("/") + path

    def full_scope(self, principal: Principal) -> bool:
        """KKD's own verifiers (no organisation, or KKD's) and admins see every case."""
        return (
            Role.ADMIN in principal.roles
            or principal.organization_id is None
            or principal.organization_id == self.settings.kkd_organization_id
        )

    def ensure_kkd(self, principal: Principal) -> None:
        if not self.full_scope(principal):
            raise ProblemError(403, "kkd_only", detail_key="factcheck.kkd_only")

    def ensure_access(self, principal: Principal, case: Case) -> None:
        """A partner verifier acts on the cases assigned to their organisation, and may
        review any election case awaiting approval (the cross-organisation check)."""
        if self.full_scope(principal) or principal.organization_id == case.organization_id:
            return
        if case.status == "in_review" and case.flags.election:
            return
        raise ProblemError(403, "case_out_of_scope", detail_key="factcheck.case_out_of_scope")


@contextmanager
def domain_errors() -> Iterator[None]:
    """Domain refusals as problem details."""
    try:
        yield
    except IllegalTransitionError as exc:
        raise ProblemError(
            409,
            "illegal_transition",
            detail_key="factcheck.illegal_transition",
            current=exc.current,
            wanted=exc.wanted,
        ) from exc
    except FourEyesError as exc:
        raise ProblemError(
            409, f"four_eyes_{exc.code}", detail_key=f"factcheck.four_eyes.{exc.code}"
        ) from exc
    except InvalidVerdictError as exc:
        raise ProblemError(
            422, exc.code, detail_key=f"factcheck.invalid_verdict.{exc.code}"
        ) from exc
    except StaleStateError as exc:
        raise ProblemError(409, "stale_state", detail_key="factcheck.stale") from exc
