"""The marks the ranking reads: submitted sheets only, members in conflict left out, whatever the codes."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.builders import State, committee_file
from valutazione.bando import Bando
from valutazione.db import open_database
from valutazione.errors import RuleViolation
from valutazione.models import Commissario, Conflitto, Domanda, Scheda, Voto
from valutazione.services import conflicts, lookup, ranking, sheets
from valutazione.services.committee import SCORING_ROLES
from valutazione.services.sheets import SUBMITTED

pytestmark = pytest.mark.both_engines  # the marks are joined by the database: group_concat or string_agg

CHAIR = "Anna Rossi"


def _renamed(bando: Bando, old: str, new: str) -> Bando:
    """The call with one sub-criterion's code changed."""
    criteria = tuple(
        dataclasses.replace(
            c, subcriteria=tuple(dataclasses.replace(s, code=new) if s.code == old else s for s in c.subcriteria)
        )
        for c in bando.criteria
    )
    return dataclasses.replace(bando, criteria=criteria)


def _expected(db: Any) -> dict[tuple[str, str], list[tuple[str, Decimal]]]:
    """Per (protocol, sub-criterion), the marks of submitted sheets of members not in conflict, by member."""
    expected: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    with db.sessions() as s:
        conflicts = {(c.commissario_id, c.domanda_id) for c in s.scalars(select(Conflitto)) if c.has_conflict}
        for sheet in s.scalars(select(Scheda).where(Scheda.state == SUBMITTED)):
            member = s.get(Commissario, sheet.commissario_id)
            assert member is not None
            if member.role not in SCORING_ROLES or (member.id, sheet.domanda_id) in conflicts:
                continue
            protocol = s.get(Domanda, sheet.domanda_id).protocol  # type: ignore[union-attr]
            for v in sheet.voti:
                if v.value is not None:
                    expected.setdefault((protocol, v.sub_code), []).append((member.name, v.value))
    return {k: sorted(v) for k, v in expected.items()}


@pytest.mark.parametrize("code", ["A.1", "Z.1", "A\x1f1", "A\x1e1 bis", "A\x1d1"])  # Z.1: read out of the call's order
def test_ranking_reads_exactly_the_submitted_marks(
    code: str, milano: Bando, target: Callable[[str], str | Path], tmp_path: Path
) -> None:
    """Each sub-score holds the submitted marks of members not in conflict, a code with a separator too;
    a sheet short of one mark (its value emptied by hand) leaves only that member out of that sub-score."""
    built = committee_file(target("marks"), State.SUBMITTED, bando=_renamed(milano, "A.1", code), folder=tmp_path)
    db = open_database(built.path)
    try:
        with db.sessions.begin() as s:
            first, second = s.scalars(select(Domanda.id).order_by(Domanda.protocol).limit(2)).all()
            chair, member = built.members[CHAIR], built.members["Bruno Bianchi"]
            sheets.reopen(s, member, first, chair, "Revisione della scheda")  # a draft again: not counted
            conflicts.declare(s, built.members["Carla Verdi"], second, True, "Parente del legale rappresentante")
            by_protocol = select(Domanda.id, Domanda.protocol).order_by(Domanda.protocol)
            third, short_protocol = s.execute(by_protocol.offset(2).limit(1)).one()
            sheet = s.scalars(select(Scheda).where(Scheda.domanda_id == third, Scheda.state == SUBMITTED)).first()
            assert sheet is not None
            s.execute(update(Voto).where(Voto.scheda_id == sheet.id, Voto.sub_code == "B.1").values(value=None))
        expected = _expected(db)
        with db.sessions() as s:
            assert code in lookup.rules(s).subcriteria_by_code
            rows = ranking.compute(s).ranking.rows
    finally:
        db.close()
    seen = 0
    for row in rows:
        for sub in row.subscores:
            assert list(sub.coefficients) == expected.get((row.protocol, sub.code), []), (row.protocol, sub.code)
            seen += len(sub.coefficients)
    assert seen == sum(len(v) for v in expected.values()) > 0
    assert any(sub.code == code and sub.coefficients for row in rows for sub in row.subscores)
    short = {sub.code: len(sub.coefficients) for row in rows if row.protocol == short_protocol for sub in row.subscores}
    assert short.pop("B.1") + 1 == max(short.values()) == min(short.values())


@pytest.mark.parametrize("text", ["abc", "0x10", "1,5"])
def test_a_mark_that_is_no_number_is_refused_in_italian(text: str, tmp_path: Path) -> None:
    """A submitted mark edited by hand into a text that is no number stops the ranking with an Italian message."""
    built = committee_file(tmp_path / "voti.valutazione", State.SUBMITTED, folder=tmp_path)
    con = sqlite3.connect(built.path)
    try:
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'voto'"):
            con.execute(f'DROP TRIGGER "{trigger}"')
        sent = "SELECT min(v.id) FROM voto v JOIN scheda s ON s.id = v.scheda_id WHERE s.state = 'inviata'"
        assert con.execute(f"UPDATE voto SET value = ? WHERE id = ({sent})", (text,)).rowcount == 1
        con.commit()
    finally:
        con.close()
    db = open_database(built.path)
    try:
        with db.sessions() as s, pytest.raises(RuleViolation, match=f"«{text}».*non è un numero"):
            ranking.compute(s)
    finally:
        db.close()
