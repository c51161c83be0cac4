"""The applications table model and its proxy: Qt's model contract, formatting, search, filters, sorting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from tests.ui.conftest import CommitteeFile
from ui.models.domande import (
    ASTENUTO,
    BOZZA,
    DA_DICHIARARE,
    DA_VALUTARE,
    INVIATA,
    DomandaRow,
    DomandeFilterProxy,
    DomandeTableModel,
    load_domande,
)
from ui.models.table import SORT_ROLE
from valutazione.db import opened


def row(i: int, grant: int, state: str, zone: int = 1, applicant: str = "Ente", title: str = "Progetto") -> DomandaRow:
    return DomandaRow(
        id=i,
        protocol=f"PG {i}/2018",
        submitted_at=datetime(2018, 2, 1, tzinfo=UTC),
        applicant=applicant,
        title=title,
        zone_number=zone,
        zone_name=f"Zona {zone}",
        grant_cents=grant,
        outcome=None,
        flags=(),
        my_state=state,
    )


ROWS = [
    row(9, 4_500_000, INVIATA, 1, "Cooperativa Il Giambellino", "Orti condivisi"),
    row(101, 900_000, BOZZA, 2, "Associazione Corvetto", "Doposcuola"),
    row(12, 5_000_000, DA_DICHIARARE, 2, "Fondazione Dergano", "Radio di quartiere"),
    row(13, 2_000_000, ASTENUTO, 4, "APS Bovisa", "Mappatura spazi"),
    row(14, 3_000_000, DA_VALUTARE, 1, "ODV Lorenteggio", "Custodia sociale"),
]


def texts(proxy: DomandeFilterProxy, column: int) -> list[str]:
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_model_contract(qtmodeltester: Any) -> None:
    """The table model passes Qt's model tester; rowCount is 0 under a valid parent."""
    model = DomandeTableModel(ROWS)
    qtmodeltester.check(model)
    assert model.rowCount(model.index(0, 0)) == 0


def test_proxy_contract(qtmodeltester: Any) -> None:
    """The filtering proxy passes Qt's model tester, filtered or not."""
    proxy = DomandeFilterProxy()
    proxy.setSourceModel(DomandeTableModel(ROWS))
    qtmodeltester.check(proxy)
    proxy.set_filters("orti")
    qtmodeltester.check(proxy)


def test_display_is_italian_and_sort_role_is_raw() -> None:
    """Money shows as € 45.000,00 but sorts by cents; the state shows in words."""
    model = DomandeTableModel(ROWS)
    grant = model.index(0, DomandeTableModel.GRANT)
    assert grant.data() == "€ 45.000,00"
    assert grant.data(SORT_ROLE) == 4_500_000
    assert grant.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight.value
    assert model.index(2, DomandeTableModel.STATE).data() == "da valutare"
    assert model.index(0, DomandeTableModel.OUTCOME).data() == "da verificare"
    assert model.headerData(DomandeTableModel.GRANT, Qt.Orientation.Horizontal) == "Contributo richiesto"
    assert model.index(0, 0, QModelIndex()).data() == "PG 9/2018"


def test_sorting_uses_raw_values() -> None:
    """Sorting by grant is numeric (€ 9.000 before € 45.000) and protocols sort by number."""
    proxy = DomandeFilterProxy()
    proxy.setSourceModel(DomandeTableModel(ROWS))
    proxy.sort(DomandeTableModel.GRANT, Qt.SortOrder.AscendingOrder)
    assert texts(proxy, DomandeTableModel.GRANT)[:2] == ["€ 9.000,00", "€ 20.000,00"]
    proxy.sort(DomandeTableModel.PROTOCOL, Qt.SortOrder.AscendingOrder)
    assert texts(proxy, 0) == ["PG 9/2018", "PG 12/2018", "PG 13/2018", "PG 14/2018", "PG 101/2018"]


def test_search_and_filters() -> None:
    """Search matches protocol, applicant or title, case-insensitively; zone and state filters combine."""
    proxy = DomandeFilterProxy()
    proxy.setSourceModel(DomandeTableModel(ROWS))
    proxy.set_filters("GIAMBELLINO")
    assert texts(proxy, 0) == ["PG 9/2018"]
    proxy.set_filters("radio")
    assert texts(proxy, 0) == ["PG 12/2018"]
    proxy.set_filters("101/")
    assert texts(proxy, 0) == ["PG 101/2018"]
    proxy.set_filters("", zone=2)
    assert sorted(texts(proxy, 0)) == ["PG 101/2018", "PG 12/2018"]
    proxy.set_filters("", state=DA_VALUTARE)
    assert sorted(texts(proxy, 0)) == ["PG 12/2018", "PG 14/2018"], "to-declare counts as to-score"
    proxy.set_filters("", zone=1, state=INVIATA)
    assert texts(proxy, 0) == ["PG 9/2018"]


def test_progress_counts_exclude_abstentions() -> None:
    """The status bar says how many of the member's due sheets are submitted; abstentions are not due."""
    assert DomandeTableModel(ROWS).progress_text() == "1 di 4 inviate"


def test_rows_are_frozen_and_read_from_the_file(committee_file: CommitteeFile) -> None:
    """Rows are built inside a session: money in cents, the importer's flags, no live ORM object."""
    with opened(committee_file.path) as db, db.sessions() as s:
        rows = load_domande(s, None)
    assert len(rows) == 38
    first = next(r for r in rows if r.protocol == "PG 101/2018")
    assert first.grant_cents == 4_450_400 and first.zone_number == 1
    assert any(r.flags for r in rows)
    assert all(isinstance(r, DomandaRow) for r in rows)
