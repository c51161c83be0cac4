"""An approved version read back from the file: the same detail as the ranking just computed."""

from __future__ import annotations

import json

from tests.valutazione.reports.pdftools import text_of
from valutazione.db import Database
from valutazione.exports.documents import export, load_ranking
from valutazione.money import format_euro
from valutazione.reports.ranking_view import from_ranking, from_stored
from valutazione.services import ranking as ranking_service


def test_approved_version_keeps_raw_points_requested_amounts_and_failures(committee_db: Database) -> None:
    """Stored version: raw points, requested amounts, threshold failures and funding line equal the engine's."""
    with committee_db.sessions() as s:
        stored = load_ranking(s)
        computed = from_ranking(ranking_service.compute(s).ranking)
    assert stored.version == 1
    assert stored.funding_line == computed.funding_line
    assert stored.fingerprint == computed.fingerprint
    detail = [(r.criteria_raw, r.total_raw, r.requested_cents, r.threshold_failures) for r in stored.rows]
    assert detail == [(r.criteria_raw, r.total_raw, r.requested_cents, r.threshold_failures) for r in computed.rows]
    assert all(r.requested_cents for r in stored.rows)


def test_approved_version_pdf_prints_requested_amounts(committee_db: Database) -> None:
    """Internal PDF of an approved version: each application's requested amount is printed, not «–»."""
    with committee_db.sessions() as s:
        view = load_ranking(s)
        text = text_of(export(s, "graduatoria", "pdf"))
    assert "Versione 1, approvata" in text
    for r in view.rows:
        if r.position is not None:
            assert r.requested_cents is not None and format_euro(r.requested_cents) in text, r.protocol


def test_versions_stored_before_the_detail_still_print(committee_db: Database) -> None:
    """Older stored shape (to_dict rows only): read without raw points or requested amounts, no error."""
    with committee_db.sessions() as s:
        row = ranking_service.latest(s)
        assert row is not None
        content = json.loads(row.content_json)
        current = load_ranking(s)
    del content["schema_version"]
    old_keys = ("position", "protocol", "applicant", "tax_code", "title", "points", "status", "grant", "tie")
    content["rows"] = [{k: r[k] for k in old_keys} for r in content["rows"]]
    del content["funding_line"]
    view = from_stored(content, committee_db.bando(), state="provvisoria", version=1, fingerprint=row.fingerprint)
    assert all(r.criteria_raw is None and r.requested_cents is None for r in view.rows)
    assert [r.total_final for r in view.rows] == [r.total_final for r in current.rows]
    assert view.funding_line == current.funding_line
