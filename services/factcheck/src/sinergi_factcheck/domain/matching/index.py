"""Matching a report against every stored case fast enough for the public intake.

Three steps: an exact lookup (normalised text hash, canonical URL); candidate generation from
the query's rarest shared tokens through an inverted index; the fuzzy scorer on those few
candidates only. A merged case redirects to the case that absorbed it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from rapidfuzz import fuzz

from sinergi_factcheck.domain.matching.text import text_key

MatchBy = Literal["text", "url", "similar"]


def sorted_tokens(normalised: str) -> str:
    """A normalised text with its words in sorted order: what the scorer compares, so each
    stored text is sorted once, not on every comparison."""
    return " ".join(sorted(normalised.split()))


def similarity(a: str, b: str) -> float:
    """0–100 for two normalised texts with their words sorted (:func:`sorted_tokens`): word
    order and a forwarded message's extra lines matter little, but a short text inside a long
    one scores low. On sorted words ``fuzz.ratio`` is ``fuzz.token_sort_ratio``."""
    if not a or not b:
        return 0.0
    sort = fuzz.ratio(a, b)
    shorter, longer = sorted((len(a), len(b)))
    contained = fuzz.token_set_ratio(a, b) * min(1.0, 0.5 + shorter / longer / 2)
    return float(max(sort, contained))


@dataclass(frozen=True)
class Thresholds:
    suggest: float = 70.0
    """At or above: a verifier is shown the case as a likely duplicate."""
    merge: float = 88.0
    """At or above: the report joins the case without anyone confirming."""


@dataclass(frozen=True)
class Match:
    case_id: UUID
    score: float
    by: MatchBy


@dataclass
class MatchIndex:
    rare_tokens: int = 8
    max_candidates: int = 48
    max_df_share: float = 0.02
    _texts: list[str] = field(default_factory=list)
    _cases: list[UUID] = field(default_factory=list)
    _postings: dict[str, list[int]] = field(default_factory=dict)
    _exact: dict[str, UUID] = field(default_factory=dict)
    _urls: dict[str, UUID] = field(default_factory=dict)
    _redirects: dict[UUID, UUID] = field(default_factory=dict)
    _known: set[UUID] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._texts)

    def knows(self, document_id: UUID) -> bool:
        return document_id in self._known

    def add(self, document_id: UUID, case_id: UUID, normalised: str, urls: Iterable[str]) -> None:
        """Index one report (``document_id``) of ``case_id``; adding it again does nothing."""
        if document_id in self._known:
            return
        self._known.add(document_id)
        for url in urls:
            self._urls.setdefault(url, case_id)
        if not normalised:
            return
        self._exact.setdefault(text_key(normalised), case_id)
        position = len(self._texts)
        self._texts.append(sorted_tokens(normalised))
        self._cases.append(case_id)
        for token in set(normalised.split()):
            self._postings.setdefault(token, []).append(position)

    def redirect(self, case_id: UUID, into: UUID) -> None:
        self._redirects[case_id] = into

    def resolve(self, case_id: UUID) -> UUID:
        if case_id not in self._redirects:
            return case_id
        seen: set[UUID] = set()
        while case_id in self._redirects and case_id not in seen:
            seen.add(case_id)
            case_id = self._redirects[case_id]
        return case_id

    def _candidates(self, words: set[str]) -> list[int]:
        limit = max(64, int(len(self._texts) * self.max_df_share))
        rare = sorted(
            (len(postings), token)
            for token in words
            if (postings := self._postings.get(token)) and len(postings) <= limit
        )[: self.rare_tokens]
        if not rare:
            return []
        counts: Counter[int] = Counter()
        for _, token in rare:
            counts.update(self._postings[token])
        needed = 2 if len(rare) >= 3 else 1
        if needed > 1:  # most documents share one token: drop them before ranking the rest
            counts = Counter({doc: hits for doc, hits in counts.items() if hits >= needed})
        return [doc for doc, _ in counts.most_common(self.max_candidates)]

    def match(self, normalised: str, urls: Iterable[str] = (), limit: int = 3) -> list[Match]:
        """The best distinct cases for a report, best first."""
        best: dict[UUID, tuple[float, MatchBy]] = {}

        def offer(case_id: UUID, score: float, by: MatchBy) -> None:
            case_id = self.resolve(case_id)
            if case_id not in best or best[case_id][0] < score:
                best[case_id] = (score, by)

        for url in urls:
            if (found := self._urls.get(url)) is not None:
                offer(found, 100.0, "url")
        if normalised:
            if (exact := self._exact.get(text_key(normalised))) is not None:
                offer(exact, 100.0, "text")
            else:
                query = sorted_tokens(normalised)
                for doc in self._candidates(set(normalised.split())):
                    offer(self._cases[doc], similarity(query, self._texts[doc]), "similar")
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
        return [Match(case_id, score, by) for case_id, (score, by) in ranked]
