"""Pairwise comparisons as a member enters them, and as the ranking reads them.

For each sub-criterion of a criterion the call scores by pairwise comparison, a member compares every pair of
the applications they score (not those in conflict). The set may be saved incomplete while the member works;
the ranking uses a member's set only once it covers every pair, because a missing pair would silently lower
an application's sum (``valutazione.pairwise.member_sums``). Every save is logged with what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.bando import Bando, SubCriterion
from valutazione.errors import RuleViolation
from valutazione.models import Commissario
from valutazione.pairwise import Comparison, validate_comparison
from valutazione.pairwise_tables import Confronto
from valutazione.services.conflicts import assigned_domande
from valutazione.services.rules import final_version

PairwiseInput = dict[str, dict[str, list[Comparison]]]


@dataclass(frozen=True)
class PairwiseSheet:
    """One member's comparisons on one sub-criterion: the applications to compare and what is stored."""

    sub_code: str
    protocols: tuple[str, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def pairs(self) -> int:
        return len(self.protocols) * (len(self.protocols) - 1) // 2

    @property
    def complete(self) -> bool:
        return len(self.comparisons) == self.pairs


def pairwise_subcriteria(bando: Bando) -> list[SubCriterion]:
    """The sub-criteria scored by pairwise comparison, in the call's order."""
    return [sub for c in bando.criteria if c.pairwise is not None for sub in c.subcriteria]


def _require_pairwise(bando: Bando, sub_code: str) -> None:
    if sub_code not in {sub.code for sub in pairwise_subcriteria(bando)}:
        raise RuleViolation(f"Il sottocriterio {sub_code} non si valuta con il confronto a coppie.")


def _as_comparison(row: Confronto, protocols: dict[int, str]) -> Comparison:
    a, b = protocols[row.domanda_a_id], protocols[row.domanda_b_id]
    preferred = None if row.preferred is None else (a if row.preferred == "a" else b)
    return Comparison(a, b, preferred, row.degree)


def own_sheet(s: Session, bando: Bando, member_id: int, sub_code: str) -> PairwiseSheet:
    """The member's applications for this sub-criterion and the comparisons saved so far."""
    _require_pairwise(bando, sub_code)
    domande = assigned_domande(s, member_id)
    protocols = {d.id: d.protocol for d in domande}
    rows = s.scalars(select(Confronto).where(Confronto.commissario_id == member_id, Confronto.sub_code == sub_code))
    stored = tuple(
        _as_comparison(r, protocols) for r in rows if r.domanda_a_id in protocols and r.domanda_b_id in protocols
    )
    return PairwiseSheet(sub_code, tuple(d.protocol for d in domande), stored)


def save_comparisons(
    s: Session, bando: Bando, member_id: int, sub_code: str, comparisons: Sequence[Comparison]
) -> PairwiseSheet:
    """Replaces the member's comparisons on the sub-criterion with ``comparisons`` (complete or not)."""
    _require_pairwise(bando, sub_code)
    member = s.get(Commissario, member_id)
    assert member is not None  # assigned_domande below refuses an unknown or undeclared member first
    domande = assigned_domande(s, member_id)
    final = final_version(s)
    if final is not None:
        raise RuleViolation(f"La graduatoria è definitiva (versione {final}): i confronti non si modificano più.")
    ids = {d.protocol: d.id for d in domande}
    wanted: dict[tuple[int, int], tuple[str | None, Comparison]] = {}
    for c in comparisons:
        validate_comparison(member.name, c)
        for protocol in (c.a, c.b):
            if protocol not in ids:
                raise RuleViolation(f"{member.name}: la domanda {protocol} non è tra quelle da valutare.")
        a, b = sorted((ids[c.a], ids[c.b]))
        side = None if c.preferred is None else ("a" if ids[c.preferred] == a else "b")
        if (a, b) in wanted:
            raise RuleViolation(f"{member.name}: la coppia {c.a} / {c.b} è confrontata più di una volta.")
        wanted[(a, b)] = (side, c)
    rows = {
        (r.domanda_a_id, r.domanda_b_id): r
        for r in s.scalars(
            select(Confronto).where(Confronto.commissario_id == member_id, Confronto.sub_code == sub_code)
        )
    }
    protocols = {v: k for k, v in ids.items()}
    before = {
        f"{c.a} / {c.b}": _described(c)
        for c in (
            _as_comparison(r, protocols) for r in rows.values() if {r.domanda_a_id, r.domanda_b_id} <= set(protocols)
        )
    }
    for pair, old in rows.items():
        if pair not in wanted:
            s.delete(old)
    for (a, b), (side, c) in wanted.items():
        row = rows.get((a, b))
        if row is None:
            s.add(
                Confronto(
                    commissario_id=member_id,
                    sub_code=sub_code,
                    domanda_a_id=a,
                    domanda_b_id=b,
                    preferred=side,
                    degree=c.degree,
                )
            )
        else:
            row.preferred, row.degree = side, c.degree
    s.flush()
    after = {f"{c.a} / {c.b}": _described(c) for _, c in wanted.values()}
    # A comparison on an application no longer among the member's goes too: logged, even when it alone
    # changed (the server wants every sealed write signed by the member: valutazione/server/log_rows.py).
    dropped = any(not {a, b} <= set(protocols) for a, b in rows)
    if before != after or dropped:
        audit.record(s, member.name, "confronto.salvato", "sottocriterio", sub_code, before, after)
    return own_sheet(s, bando, member_id, sub_code)


def _described(c: Comparison) -> str:
    """How the log shows one comparison: ``parità`` or ``PG 101/2018 +3``."""
    return "parità" if c.preferred is None else f"{c.preferred} +{c.degree}"


def all_comparisons(s: Session, bando: Bando) -> PairwiseInput:
    """``{sub_code: {member: [Comparison, ...]}}`` for the ranking engine: per member, the comparisons among
    the applications they score now, and only once every such pair is compared."""
    subs = pairwise_subcriteria(bando)
    if not subs:
        return {}
    rows = list(s.scalars(select(Confronto).order_by(Confronto.id)))
    result: PairwiseInput = {sub.code: {} for sub in subs}
    for member_id in sorted({r.commissario_id for r in rows}):
        member = s.get(Commissario, member_id)
        assert member is not None
        protocols = {d.id: d.protocol for d in assigned_domande(s, member_id)}
        pairs = {frozenset(p) for p in combinations(protocols.values(), 2)}
        for sub_code in result:
            mine = [
                _as_comparison(r, protocols)
                for r in rows
                if r.commissario_id == member_id
                and r.sub_code == sub_code
                and r.domanda_a_id in protocols
                and r.domanda_b_id in protocols
            ]
            if pairs and {frozenset((c.a, c.b)) for c in mine} == pairs:
                result[sub_code][member.name] = mine
    return result
