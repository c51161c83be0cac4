"""Schema 0004 on a file made before it: agreements typed as movements become agreements, nothing else moves."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.builders import written_before_seals
from valutazione import db as dbmod
from valutazione.bando import Bando
from valutazione.db import create_database, open_database
from valutazione.projects.tables import Convenzione


def test_old_agreement_movements_are_copied_into_agreements(
    tmp_path: Path, milano: Bando, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two «convenzione» movements of one application become one agreement for their sum, dated at the first."""
    only_first = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS, only_first, ignore=shutil.ignore_patterns("__pycache__"))
    for newer in (only_first / "versions").glob("*.py"):
        if not newer.name.startswith("0001_"):
            newer.unlink()
    path = tmp_path / "vecchio.valutazione"
    with written_before_seals(monkeypatch):
        monkeypatch.setattr(dbmod, "MIGRATIONS", only_first)
        create_database(path, milano).close()
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO domanda (protocol, submitted_at, applicant, legal_form, tax_code, vat_number, "
            "legal_representative, pec, title, zone_text, total_cost_cents, grant_cents, cofinancing_cents, "
            "abstract, content_sha256) VALUES ('PG 1/2018', '2018-02-01T10:00:00.000000+00:00', 'Ente', '', '', '', "
            "'', '', 'Progetto', '', 200, 100, 100, '', '')"
        )
        for day, cents in (("2018-06-01", 3000), ("2018-07-01", 2000)):
            con.execute(
                "INSERT INTO erogazione (domanda_id, kind, on_day, amount_cents, note) "
                f"VALUES (1, 'convenzione', '{day}', {cents}, '')"
            )
        con.execute(
            "INSERT INTO erogazione (domanda_id, kind, on_day, amount_cents, note) "
            "VALUES (1, 'pagamento', '2018-08-01', 1000, '')"
        )
    con.close()
    db = open_database(path)
    with db.sessions.begin() as s:
        (agreement,) = s.scalars(select(Convenzione)).all()
        tipi = [tuple(r) for r in s.execute(text("SELECT kind, tipo FROM erogazione")).all()]
    db.close()
    assert (agreement.signed_on, agreement.amount_cents, agreement.state) == (date(2018, 6, 1), 5000, "attiva")
    assert sorted(tipi) == [("convenzione", "sal"), ("convenzione", "sal"), ("pagamento", "sal")]
