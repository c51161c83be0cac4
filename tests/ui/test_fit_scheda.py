"""Fit test of the scoring form: each criterion's sub-criteria whole on a 1366×768 laptop with a taskbar,
the total whole in a half-screen window, one Tab from a criterion's last justification to the next."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.conftest import CommitteeFile
from tests.ui.fit import problems
from tests.ui.helpers import click, enter_as, open_row, open_window
from tests.ui.screenshots import shoot
from ui.forms.scheda import SchedaForm
from ui.main_window import MainWindow

SIZES = ((1366, 768), (1366, 728), (683, 728))  # full screen, above a taskbar, half a screen above a taskbar


def _whole(widget: Any) -> bool:
    """Drawn entirely: not cut by the window's edge, a scroll area or a hidden page."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def _form(qtbot: Any, committee_file: CommitteeFile) -> tuple[MainWindow, SchedaForm]:
    window = open_window(qtbot, committee_file.path)
    enter_as(qtbot, window, "Bruno Bianchi")
    open_row(qtbot, window, "PG 101/2018")
    click(qtbot, window.evaluation.conflict.none_button)
    form = window.evaluation.scheda
    assert form is not None
    return window, form


def test_every_criterion_fits_without_scrolling(qtbot: Any, committee_file: CommitteeFile) -> None:
    """At 1366×768, above a taskbar and in half a screen, all sub-criteria of the criterion on screen and
    the total are drawn whole: no scrolling to see what is being judged."""
    window, form = _form(qtbot, committee_file)
    cut: list[str] = []
    for width, height in SIZES:
        window.resize(width, height)
        for index, page in enumerate(form.pages):
            form.criteria.setCurrentIndex(index)
            qtbot.wait(30)
            where = f"{width}x{height} {page.criterion.code}"
            cut += [f"{where}: {issue}" for issue in problems(window)]
            cut += [f"{where}: {row.sub.code}" for row in page.rows if not _whole(row.motivazione)]
            cut += [f"{where}: {row.sub.code} voto" for row in page.rows if not _whole(row.editor)]
            if not _whole(page.subtotal):
                cut.append(f"{where}: subtotale")
            if not _whole(form.total_label) or form.total_label.heightForWidth(form.total_label.width()) > (
                form.total_label.height()
            ):
                cut.append(f"{where}: totale")
        shoot(qtbot, window, f"fit-scheda-{width}x{height}")
    window.close()
    assert not cut, "\n".join(cut)


def test_tab_from_last_justification_opens_next_criterion(qtbot: Any, committee_file: CommitteeFile) -> None:
    """Keyboard first: Tab after a criterion's last justification lands on the next criterion's first mark."""
    window, form = _form(qtbot, committee_file)
    last = form.pages[0].rows[-1].motivazione
    last.setFocus()
    qtbot.waitUntil(last.hasFocus)
    qtbot.keyClick(last, Qt.Key.Key_Tab)
    assert form.criteria.currentIndex() == 1
    first = form.pages[1].rows[0].editor
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClicks(first, "8")
    assert form.criteria.tabText(1).startswith("B  ")
    assert "valore mancante: A.1, A.2, A.3, B.2" in form.missing_label.text()
    window.close()


def test_criterion_tab_ticked_when_complete(qtbot: Any, committee_file: CommitteeFile) -> None:
    """A criterion's tab shows its points and a tick only once every sub-criterion has mark and reason."""
    window, form = _form(qtbot, committee_file)
    for row in form.pages[0].rows:
        row.editor.setFocus()
        qtbot.keyClicks(row.editor, "1")
        assert "✓" not in form.criteria.tabText(0)
        row.motivazione.setFocus()
        qtbot.keyClicks(row.motivazione, "Motivato.")
    assert form.criteria.tabText(0) == "A  35,00/35  ✓"
    assert "✓" not in form.criteria.tabText(1)
    window.close()
