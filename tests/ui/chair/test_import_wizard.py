"""Import wizard: mapping, preview with refusals and flags explained, import of the readable rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from tests.ui.chair.conftest import SAMPLE, Host, shoot
from ui.chair.import_preview import FLAGGED, REFUSED
from ui.chair.import_wizard import ImportWizard
from valutazione.models import Domanda, Flag


def _next(qtbot: Any, wizard: ImportWizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def _open(qtbot: Any, host: Host, csv: Path) -> ImportWizard:
    wizard = ImportWizard(host)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.keyClicks(wizard.file.path, str(csv))
    _next(qtbot, wizard)
    return wizard


def _preview(qtbot: Any, wizard: ImportWizard) -> None:
    with qtbot.waitSignal(wizard.button(QWizard.WizardButton.NextButton).clicked, timeout=1000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.preview.report is not None or bool(wizard.preview.status.text()), timeout=10000)


def test_sample_preview_shows_refusals_and_flags(qtbot: Any, host: Host, qtmodeltester: Any) -> None:
    """Unreadable rows are refused with their reason, readable rule-breakers flagged, nothing written yet."""
    wizard = _open(qtbot, host, SAMPLE / "domande-esempio.csv")
    assert wizard.mapping.combos["protocollo"].currentText() == "Protocollo"
    _preview(qtbot, wizard)
    page = wizard.preview
    rows = {r.protocol: r for r in page.model.rows}
    refused = [r for r in page.model.rows if r.status == REFUSED]
    assert {r.row for r in refused} == {25, 33}
    assert any("ripetuto" in reason for r in refused for reason in r.reasons)
    assert rows["PG 108/2018"].status == FLAGGED and "zone bersaglio" in rows["PG 108/2018"].explanation
    assert rows["PG 116/2018"].status == FLAGGED and "massimale" in rows["PG 116/2018"].explanation
    assert "2 rifiutate" in page.summary.text()
    assert not page.import_all.isEnabled()
    qtmodeltester.check(page.model)
    shoot(wizard, "import-preview")
    with host.db.sessions() as s:
        assert s.scalar(select(func.count(Domanda.id))) == 0


def test_import_only_readable_rows(qtbot: Any, host: Host) -> None:
    """Choosing the readable rows imports them with their flags; refused rows stay out."""
    wizard = _open(qtbot, host, SAMPLE / "domande-esempio.csv")
    _preview(qtbot, wizard)
    with qtbot.waitSignal(host.data_changed, timeout=10000):
        qtbot.mouseClick(wizard.preview.import_readable, Qt.MouseButton.LeftButton)
    assert "Importate 38 domande" in wizard.preview.status.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    with host.db.sessions() as s:
        assert s.scalar(select(func.count(Domanda.id))) == 38
        assert s.scalar(select(func.count(Flag.id))) >= 6


def test_headers_differ_mapping_by_hand(qtbot: Any, host: Host, tmp_path: Path) -> None:
    """An export with unknown headers is mapped by the chair; an unmapped required field is refused."""
    text = (SAMPLE / "domande-esempio.csv").read_text(encoding="utf-8-sig")
    first, rest = text.split("\n", 1)
    odd = tmp_path / "altro.csv"
    odd.write_text(
        first.replace("Protocollo", "Pratica").replace("Titolo progetto", "Idea") + "\n" + rest, encoding="utf-8"
    )
    wizard = _open(qtbot, host, odd)
    assert wizard.mapping.combos["protocollo"].currentText() == "—"
    _next(qtbot, wizard)
    assert "Protocollo" in wizard.mapping.status.text()
    shoot(wizard, "import-mapping")
    wizard.mapping.combos["protocollo"].setCurrentText("Pratica")
    wizard.mapping.combos["titolo"].setCurrentText("Idea")
    _preview(qtbot, wizard)
    assert wizard.preview.model.rowCount() == 40
