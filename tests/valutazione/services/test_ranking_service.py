"""The ranking service: what feeds the engine, approvals provvisoria → definitiva, draws, reproduction, sliding."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.db import Database
from valutazione.errors import RuleViolation
from valutazione.models import AuditRow, Domanda, GraduatoriaVersion
from valutazione.services import admissibility, ranking, rules, sheets
from valutazione.services.sheets import Mark

from .conftest import Committee, add_domanda, full_marks

pytestmark = pytest.mark.both_engines  # services give the same results on a file and on the server

CHAIR = "Anna Rossi"


def _score(s: Session, team: Committee, domanda_id: int, values: tuple[str, str, str]) -> None:
    bando = sheets.lookup.rules(s)
    for member, value in zip(team.scorers, values, strict=True):
        sheets.save_draft(s, member, domanda_id, full_marks(bando, value))
        sheets.submit(s, member, domanda_id)


@pytest.fixture
def scored(db: Database, declared: Committee) -> Committee:
    """Budget € 100.000 (set before any work), three € 40.000 requests scored 90, 80 and 70, all admissible."""
    with db.sessions.begin() as s:
        rules.update_rules(s, CHAIR, dataclasses.replace(sheets.lookup.rules(s), budget_cents=10_000_000))
        admissibility.mark_all_admissible(s, CHAIR, "Requisiti formali verificati")
        for domanda_id, values in zip(
            declared.domande, (("0.9",) * 3, ("0.8",) * 3, ("0.6", "0.7", "0.8")), strict=True
        ):
            _score(s, declared, domanda_id, values)
    return declared


def _grants(g: ranking.Computed) -> dict[str, tuple[str, int]]:
    return {r.protocol: (r.status, r.grant_cents) for r in g.ranking.rows}


def test_funding_line_from_submitted_sheets(db: Database, scored: Committee) -> None:
    """Three scored applications rank by total and the budget runs out on the third (partial funding)."""
    with db.sessions() as s:
        computed = ranking.compute(s)
    assert [(r.position, r.protocol, str(r.total_final)) for r in computed.ranking.rows] == [
        (1, "P1", "90.00"),
        (2, "P2", "80.00"),
        (3, "P3", "70.00"),
    ]
    assert _grants(computed) == {
        "P1": ("finanziata", 4_000_000),
        "P2": ("finanziata", 4_000_000),
        "P3": ("finanziata_parzialmente", 2_000_000),
    }
    assert computed.can_be_final


def test_drafts_do_not_count(db: Database, declared: Committee) -> None:
    """Only submitted sheets reach the ranking: a draft is a missing sheet, and that blocks the final."""
    p1 = declared.domande[0]
    with db.sessions.begin() as s:
        admissibility.mark_all_admissible(s, CHAIR, "Requisiti formali verificati")
        sheets.save_draft(s, declared.bruno, p1, full_marks(sheets.lookup.rules(s)))
        computed = ranking.compute(s)
    assert computed.ranking.row("P1").scorers == ()
    assert ("scheda_mancante", "P1") in {(w.kind, w.protocol) for w in computed.ranking.warnings}
    assert not computed.can_be_final


def test_provisional_then_final(db: Database, scored: Committee) -> None:
    """Definitiva needs a provisional version first; every version is kept with content and fingerprint."""
    with db.sessions.begin() as s:
        with pytest.raises(RuleViolation, match="provvisoria"):
            ranking.approve(s, "definitiva", CHAIR)
        first = ranking.approve(s, "provvisoria", CHAIR)
        second = ranking.approve(s, "definitiva", CHAIR)
        fingerprint = ranking.compute(s).fingerprint()
        actions = s.scalars(select(AuditRow.action).where(AuditRow.action == "graduatoria.approvata")).all()
    assert (first.version, first.state, second.version, second.state) == (1, "provvisoria", 2, "definitiva")
    assert first.fingerprint == second.fingerprint == fingerprint
    content = json.loads(second.content_json)
    assert content["fingerprint"] == fingerprint and content["state"] == "definitiva"
    assert [r["grant"] for r in content["rows"]] == ["40000.00", "40000.00", "20000.00"]
    assert len(actions) == 2


def test_final_refused_while_admissibility_undecided(db: Database, scored: Committee) -> None:
    """An application whose admissibility is not decided keeps the ranking provisional, with a warning."""
    with db.sessions.begin() as s:
        add_domanda(s, "P4", minutes=9)
        s.flush()
        computed = ranking.compute(s)
        assert "ammissibilita_da_decidere" in {w["kind"] for w in computed.warnings}
        ranking.approve(s, "provvisoria", CHAIR)
        with pytest.raises(RuleViolation, match="Ammissibilità non ancora decisa per la domanda P4"):
            ranking.approve(s, "definitiva", CHAIR)


def test_unresolved_tie_blocks_final_until_draw(db: Database, declared: Committee) -> None:
    """Equal after the whole chain (same points, same submission time): no definitiva until the draw is recorded."""
    with db.sessions.begin() as s:
        same = datetime(2018, 2, 10, 10, tzinfo=UTC)
        for d in s.scalars(select(Domanda)):
            d.submitted_at = same
        admissibility.mark_all_admissible(s, CHAIR, "Requisiti formali verificati")
        p1, p2, p3 = declared.domande
        _score(s, declared, p1, ("0.9", "0.8", "0.7"))
        _score(s, declared, p2, ("0.7", "0.8", "0.9"))
        _score(s, declared, p3, ("0.6", "0.7", "0.8"))
        computed = ranking.compute(s)
        assert [t.protocols for t in computed.ranking.unresolved_ties] == [("P1", "P2")]
        ranking.approve(s, "provvisoria", CHAIR)
        with pytest.raises(RuleViolation, match="Parità non risolta tra P1, P2"):
            ranking.approve(s, "definitiva", CHAIR)
        with pytest.raises(RuleViolation, match="non sono un gruppo in parità"):
            ranking.record_draw(s, ["P2", "P3"], CHAIR)
        ranking.record_draw(s, ["P2", "P1"], CHAIR, "Sorteggio pubblico in seduta n. 2")
        assert [r.protocol for r in ranking.compute(s).ranking.rows] == ["P2", "P1", "P3"]
        assert ranking.approve(s, "definitiva", CHAIR).state == "definitiva"


def test_reproduce_detects_changed_scores(db: Database, scored: Committee) -> None:
    """A version recomputed from the kept scores gives its fingerprint back, until a sheet is changed."""
    with db.sessions.begin() as s:
        version = ranking.approve(s, "provvisoria", CHAIR).version
        assert ranking.reproduce(s, version).ok
        p3 = scored.domande[2]
        sheets.reopen(s, scored.bruno, p3, scored.chair, "Errore materiale su A.1")
        sheets.save_draft(s, scored.bruno, p3, {"A.1": Mark(Decimal("1.0"), "Rivisto in seduta")})
        sheets.submit(s, scored.bruno, p3)
        result = ranking.reproduce(s, version)
    assert not result.ok
    assert result.changed_sheets == ("Bruno Verdi – P3",)
    assert result.recomputed_fingerprint != result.stored_fingerprint


def test_renounce_and_slide(db: Database, scored: Committee) -> None:
    """A funded applicant's renunciation frees its grant, which a new provisional version passes down the list."""
    with db.sessions.begin() as s:
        with pytest.raises(RuleViolation, match="Nessuna graduatoria approvata"):
            ranking.renounce(s, "P1", "Rinuncia con PEC del 10/05/2018", CHAIR)
        ranking.approve(s, "provvisoria", CHAIR)
        ranking.approve(s, "definitiva", CHAIR)
        with pytest.raises(RuleViolation, match="motivo"):
            ranking.renounce(s, "P1", " ", CHAIR)
        ranking.renounce(s, "P1", "Rinuncia con PEC del 10/05/2018", CHAIR)
        with pytest.raises(RuleViolation, match="già registrata"):
            ranking.renounce(s, "P1", "di nuovo", CHAIR)
        version = ranking.slide(s, CHAIR, "Scorrimento per rinuncia di P1")
        assert ranking.reproduce(s, 2).ok  # the final version still reproduces after the renunciation
        stored = s.scalars(select(GraduatoriaVersion).order_by(GraduatoriaVersion.version)).all()
    assert (version.version, version.state) == (3, "provvisoria")
    rows = {r["protocol"]: (r["status"], r["grant"]) for r in json.loads(version.content_json)["rows"]}
    assert rows == {"P1": ("rinunciataria", "0.00"), "P2": ("finanziata", "40000.00"), "P3": ("finanziata", "40000.00")}
    assert [v.state for v in stored] == ["provvisoria", "definitiva", "provvisoria"]


def test_a_ranking_on_a_worker_thread_equals_one_on_the_main_thread(db: Database, scored: Committee) -> None:
    """Computed on a GUI worker (collector paused there too) or the main thread: same result, collector on after."""
    import gc
    import threading

    fingerprints: list[str] = []

    def worker() -> None:
        with db.sessions() as s:
            fingerprints.append(ranking.compute(s).fingerprint())

    assert gc.isenabled()
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    with db.sessions() as s:
        fingerprints.append(ranking.compute(s).fingerprint())
    assert len(fingerprints) == 2 and fingerprints[0] == fingerprints[1] and gc.isenabled()
