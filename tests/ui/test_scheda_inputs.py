"""The mark editors: coefficients typed as digits on the call's scale, direct points on the call's step."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.builders import SAMPLE
from ui.forms.scheda import SchedaForm
from ui.forms.scheda_inputs import CoefficientCombo, _typed_value
from ui.user import User
from valutazione.bando import Bando, bando_from_mapping
from valutazione.db import create_database
from valutazione.importers.domande import import_domande
from valutazione.models import Domanda, Voto
from valutazione.services import committee, conflicts


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("8", "0.8"),
        ("08", "0.8"),
        ("0,8", "0.8"),
        ("0.8", "0.8"),
        ("1", "1.0"),
        ("10", "1.0"),
        ("0", "0"),
        ("05", "0.5"),
        ("", None),
    ],
)
def test_digits_mean_a_coefficient(typed: str, value: str | None) -> None:
    """Typing the digits of a coefficient selects it: "8", "08" and "0,8" all mean 0,8 – buono."""
    assert _typed_value(typed) == (None if value is None else Decimal(value))


def test_keyboard_on_the_coefficient_chooser(qtbot: Any, milano: Bando) -> None:
    """Digits jump to the scale step, arrows move along the scale, Delete clears the choice."""
    combo = CoefficientCombo(milano)
    qtbot.addWidget(combo)
    assert combo.value() is None and combo.currentText() == "— scegliere —"
    qtbot.keyClicks(combo, "07")
    assert combo.currentText() == "0,7 – discreto" and combo.value() == Decimal("0.7")
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    assert combo.currentText() == "0,8 – buono"
    qtbot.keyClick(combo, Qt.Key.Key_Delete)
    assert combo.value() is None
    assert [combo.itemText(i) for i in (1, 11)] == ["1,0 – eccellente", "0 – non valutabile"]


def test_direct_points_mode(qtbot: Any, milano: Bando, tmp_path: Path) -> None:
    """A call with direct points shows a 0..max field on the call's step instead of the scale."""
    mapping = milano.to_mapping()
    mapping["valutazione"]["metodo"] = "punti"
    bando = bando_from_mapping(mapping)
    db = create_database(tmp_path / "punti.valutazione", bando)
    try:
        with db.sessions.begin() as s:
            import_domande(s, SAMPLE, skip_invalid=True, actor="test")
            member = committee.add_member(s, "Bruno Bianchi", "componente", actor="test")
            committee.declare_general(s, member.id)
            domanda = s.scalars(select(Domanda).order_by(Domanda.protocol)).first()
            conflicts.declare(s, member.id, domanda.id, False)
            user, domanda_id, protocol = User(member.id, member.name, member.role), domanda.id, domanda.protocol
        form = SchedaForm(db, user)
        qtbot.addWidget(form)
        form.show()
        form.load(domanda_id, protocol)
        spin = form.row("A.1").editor
        assert spin.text() == "—"
        spin.setFocus()
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin, "7,5")
        assert form.row("A.1").points.text() == "= 7,50 punti"
        assert "Subtotale A: 7,50 su 35" in form.criterion_labels["A"].text()
        assert form.save() or not form.dirty
        with db.sessions() as s:
            assert s.scalars(select(Voto.value).where(Voto.sub_code == "A.1")).one() == Decimal("7.5")
        spin.lineEdit().selectAll()
        qtbot.keyClicks(spin, "16")
        assert spin.value() <= 15, "the maximum of the sub-criterion bounds the field"
    finally:
        db.close()
