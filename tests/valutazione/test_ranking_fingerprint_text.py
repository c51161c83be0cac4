"""The ranking's canonical text assembled by the verification is byte for byte ``Ranking.canonical_json``."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.valutazione.pairwise_helpers import comparisons, pairwise_bando
from tests.valutazione.ranking_helpers import MEMBERS, MILANO, candidate, sample_inputs
from tests.valutazione.test_lots import K, app, lots_bando
from valutazione.ranking import Ranking, build_ranking
from valutazione.ranking.fingerprint import canonical_text
from valutazione.scoring import SubScore

HOSTILE = [
    "",
    'virgolette " e \\ barra',
    "a capo\ne\ttab\r\x00\x1f\x7f",
    "è à ü € 🙂 \u2028",
    '"subscores":[]',
    "</script>",
]
NUMBERS = ["-0", "0", "0.0", "1.0", "1", "1E+30", "-1.5E-7", "123456789012345678901234567890.123456789", "NaN", "0E-10"]


def _same(ranking: Ranking) -> None:
    assert canonical_text(ranking) == ranking.canonical_json()
    general = hashlib.sha256(ranking.canonical_json().encode("utf-8")).hexdigest()
    assert ranking.fingerprint() == general


def test_sample_ranking_with_every_outcome() -> None:
    """Fingerprint of a version: funded, partly funded, renounced, excluded, unscored, tied rows spell alike."""
    bando, people = sample_inputs()
    _same(build_ranking(bando, people))


def test_ranking_with_lots_and_redistribution() -> None:
    """Fingerprint of a version: a call divided into lots (lots, redistribution, funding notes) spells alike."""
    bando = lots_bando([("A", 100), ("B", 60)], cap=50 * K, residual_rule="lotto:A")
    pool = [app("A1", "A", 30, 50), app("A2", "A", 25, 50), app("A3", "A", 20, 20), app("B1", "B", 30, 40)]
    ranking = build_ranking(bando, pool)
    assert ranking.lots
    _same(ranking)


def test_ranking_with_pairwise_divisors() -> None:
    """Fingerprint of a version: pairwise sub-scores (divisor, member divisors) spell alike."""
    bando = pairwise_bando(MILANO)
    subs = [s.code for c in bando.criteria if c.pairwise is not None for s in c.subcriteria]
    marked = {m: {s.code: Decimal("0.7") for s in bando.subcriteria if s.code not in subs} for m in MEMBERS}
    people = [candidate(p, marked, hours=i) for i, p in enumerate(("P1", "P2", "P3"))]
    pairs = {sub: {m: tuple(comparisons(m)) for m in MEMBERS} for sub in subs}
    ranking = build_ranking(bando, people, comparisons=pairs)
    assert any(s.divisor is not None or s.member_divisors for r in ranking.rows for s in r.subscores)
    _same(ranking)


def _hostile(ranking: Ranking, text: str, number: str) -> Ranking:
    value = Decimal(number)
    rows = []
    for r in ranking.rows:
        subs = tuple(
            dataclasses.replace(
                s,
                code=s.code + text,
                maximum=value,
                coefficients=((text, value), *s.coefficients, (text + "2", Decimal(0))),
                mean=Fraction(-(10**40) + 7, 3),
                points=value,
                method=text,
                divisor=value,
                member_divisors=((text, value), ("Rossi", Decimal("0.50"))),
            )
            for s in r.subscores
        )
        rows.append(dataclasses.replace(r, applicant=text, title=text + r.title, tie=text or None, subscores=subs))
    return dataclasses.replace(ranking, rows=tuple(rows), bando_code=text)


@pytest.mark.parametrize("number", NUMBERS)
def test_hostile_strings_and_numbers(number: str) -> None:
    """Fingerprint of a version: unicode, quotes, backslashes, NUL, huge, negative-zero and NaN values spell alike."""
    bando, people = sample_inputs()
    ranking = build_ranking(bando, people)
    for text in HOSTILE:
        _same(_hostile(ranking, text, number))


def test_zero_and_negative_zero_are_not_confused() -> None:
    """Fingerprint of a version: «0» and «-0» are equal numbers but different texts, and stay different."""
    bando, people = sample_inputs()
    ranking = build_ranking(bando, people)
    zero, minus = _hostile(ranking, "x", "0"), _hostile(ranking, "x", "-0")
    mixed = dataclasses.replace(zero, rows=(minus.rows[0], *zero.rows[1:]))
    assert canonical_text(mixed) == mixed.canonical_json() != zero.canonical_json()


def test_unexpected_types_take_the_general_encoder() -> None:
    """Fingerprint of a version: a str subclass, a float or an int where a Decimal goes take the general path."""

    class Name(str):
        pass

    bando, people = sample_inputs()
    ranking = build_ranking(bando, people)
    first = ranking.rows[0]
    odd: list[SubScore] = [
        dataclasses.replace(first.subscores[0], coefficients=((Name("Bianchi"), Decimal("0.7")),)),
        dataclasses.replace(first.subscores[0], points=0.5),  # type: ignore[arg-type]
        dataclasses.replace(first.subscores[0], mean=3),  # type: ignore[arg-type]
    ]
    for sub in odd:
        changed = dataclasses.replace(ranking, rows=(dataclasses.replace(first, subscores=(sub,)), *ranking.rows[1:]))
        _same(changed)
    broken = dataclasses.replace(first.subscores[0], maximum=7)  # type: ignore[arg-type]
    changed = dataclasses.replace(ranking, rows=(dataclasses.replace(first, subscores=(broken,)),))
    with pytest.raises(AttributeError):
        changed.canonical_json()
    with pytest.raises(AttributeError):  # the general path's own refusal, not a different text
        canonical_text(changed)


def test_engine_columns_take_the_assembled_text() -> None:
    """Fingerprint of a version: a ranking as the engine builds it (sub-scores kept as columns) is assembled
    from pieces, not sent back to the general encoder (at 5,000 applications that costs 0.5 s a check)."""
    from valutazione.ranking.fingerprint import _assembled
    from valutazione.sheet_columns import SheetColumns

    bando, people = sample_inputs()
    ranking = build_ranking(bando, people)
    assert any(type(r.subscores) is SheetColumns for r in ranking.rows)
    assert _assembled(ranking) == ranking.canonical_json()


def test_a_record_shared_between_rows_is_spelled_in_each() -> None:
    """Fingerprint of a version: one sub-score record shared by several rows (as the engine shares equal
    columns) is written into each of them, and a record equal but not the same is spelled on its own."""
    bando, people = sample_inputs()
    ranking = build_ranking(bando, people)
    shared = ranking.rows[0].subscores[0]
    copy = dataclasses.replace(shared, method=shared.method)
    rows = [dataclasses.replace(r, subscores=(shared, copy, *tuple(r.subscores)[1:], shared)) for r in ranking.rows]
    changed = dataclasses.replace(ranking, rows=tuple(rows))
    assert canonical_text(changed).count('"code":' + json.dumps(shared.code)) >= 3 * len(rows)
    _same(changed)
