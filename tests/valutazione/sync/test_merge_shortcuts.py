"""The merge's round-four shortcuts decide and store exactly what the general code decides and stores."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Table

from tests.valutazione.pairwise_helpers import pairwise_bando
from valutazione import audit, bulk
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import AuditRow, Voto
from valutazione.services.sheets import Mark, missing_marks
from valutazione.sync.returned_sheet import incomplete

# what a returned sheet may say of one sub-criterion: nothing, no value, a value with or without a reason
_GIVEN = st.sampled_from(("absent", "no value", "blank", "spaces", "reason"))


def _marks(codes: list[str], given: list[str]) -> list[tuple[str, Decimal | None, str]]:
    shown = {"no value": (None, "perché"), "blank": (Decimal("1"), ""), "spaces": (Decimal("1"), " \n\t")}
    out = []
    for code, kind in zip(codes, given, strict=True):
        if kind != "absent":
            value, why = shown.get(kind, (Decimal("0.5"), "Motivata"))
            out.append((code, value, why))
    return out


@pytest.mark.parametrize("justified", [True, False])
@pytest.mark.parametrize("pairwise", [True, False])
@given(data=st.data())
def test_incomplete_is_what_missing_marks_finds(
    milano: Bando, justified: bool, pairwise: bool, data: st.DataObject
) -> None:
    """Sent sheets: the merge's completeness check refuses exactly the sheets ``missing_marks`` refuses
    (a value for every sub-criterion but the pairwise ones, and a motivazione where the call requires it)."""
    bando = dataclasses.replace(pairwise_bando(milano) if pairwise else milano, justification_required=justified)
    codes = [sub.code for sub in bando.subcriteria] + ["ZZ-estraneo"]
    marks = _marks(codes, data.draw(st.lists(_GIVEN, min_size=len(codes), max_size=len(codes))))
    required = frozenset(sub.code for sub in bando.subcriteria if bando.criterion_of(sub.code).pairwise is None)
    expected = bool(missing_marks(bando, {code: Mark(value, why) for code, value, why in marks}))
    assert incomplete(required, justified, marks) is expected


def test_incomplete_catches_each_kind_of_gap(milano: Bando) -> None:
    """Sent sheets: a missing mark, a mark without value and a blank motivazione each make a sheet incomplete."""
    codes = [sub.code for sub in milano.subcriteria]
    required = frozenset(codes)
    full = _marks(codes, ["reason"] * len(codes))
    assert not incomplete(required, True, full)
    assert incomplete(required, True, full[1:])
    assert incomplete(required, True, [(full[0][0], None, "perché"), *full[1:]])
    assert incomplete(required, True, [(full[0][0], Decimal("1"), "  "), *full[1:]])
    assert not incomplete(required, False, [(full[0][0], Decimal("1"), "  "), *full[1:]])


@pytest.mark.both_engines
@pytest.mark.parametrize("text", ["0.80", "1E+1", "-0.0", "0.333", "7", "1.000", "2.5E-3"])
def test_mark_text_is_what_the_column_binds(db: Database, text: str) -> None:
    """Marks through the driver: ``str`` of a returned mark is the text ``ExactDecimal`` stores for it."""
    table = Voto.__table__
    assert isinstance(table, Table)
    with db.sessions() as s:
        bind = bulk.binders(s.connection(), table, ("value",))[0]
    assert bind is not None
    value = Decimal(text)
    assert str(value) == bind(value)


@pytest.mark.both_engines
@pytest.mark.parametrize(
    "at",
    [
        datetime(2025, 3, 1, 9, 30, 0, 1, tzinfo=UTC),
        datetime(2025, 3, 1, 9, 30, 0, 999999, tzinfo=UTC),
        datetime(2025, 3, 1, 9, 30, tzinfo=UTC),  # on the whole second: isoformat drops «.000000»
        datetime(2025, 3, 1, 10, 30, 0, 5, tzinfo=timezone(timedelta(hours=1))),  # another zone
    ],
)
def test_log_time_is_stored_as_the_column_stores_it(db: Database, at: datetime) -> None:
    """Log rows in bulk: the time stored is the ``UTCDateTime`` text, the hashed one ``isoformat()``."""
    table = AuditRow.__table__
    assert isinstance(table, Table)
    with db.sessions() as s:
        stamp = bulk.binders(s.connection(), table, ("at",))[0]
    assert stamp is not None
    assert audit.stored_time(at, stamp) == (stamp(at), at.isoformat())


@pytest.mark.parametrize(
    "value",
    ["", "a", 'virgolette "doppie" \\ e àèì € 😀', "\u2028\x00\x1f\x7f", "a" * 64, 0, 7, -3, 2**70, True, None],
)
def test_spelled_string_and_integer_are_the_encoders_text(value: object) -> None:
    """Log rows: a string, an integer (not a boolean) and None spelled directly are ``canonical_json``'s text."""
    assert audit.spelled(value) == audit.canonical_json(value)
