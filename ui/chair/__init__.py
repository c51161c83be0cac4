"""The chair's and the secretary's desktop: the tabs and actions the main window adds for them.

``chair_tabs(window)`` and ``chair_actions(window)`` are the only entry points; every screen reads
``window.db`` and ``window.user`` and refreshes on ``window.data_changed``. The secretary gets the
committee, sessions and progress screens; the chair gets everything.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ui.chair.common import Host, actor_name, tr


def _is_chair(window: Host) -> bool:
    return getattr(window.user, "role", "presidente") == "presidente"


def chair_tabs(window: Host) -> list[tuple[str, QWidget]]:
    from ui.chair.admissibility import AdmissibilityPanel
    from ui.chair.committee import CommitteeTab
    from ui.chair.finance import FinancePanel
    from ui.chair.progress import ProgressPanel
    from ui.chair.ranking import RankingPanel
    from ui.chair.rules_tab import RulesTab
    from ui.chair.sessions import SessionsPanel

    if not _is_chair(window):
        return [
            (tr("Commissione"), CommitteeTab(window)),
            (tr("Sedute"), SessionsPanel(window)),
            (tr("Avanzamento"), ProgressPanel(window)),
        ]
    return [
        (tr("Bando"), RulesTab(window)),
        (tr("Commissione"), CommitteeTab(window)),
        (tr("Ammissibilità"), AdmissibilityPanel(window)),
        (tr("Avanzamento"), ProgressPanel(window)),
        (tr("Graduatoria"), RankingPanel(window)),
        (tr("Sedute"), SessionsPanel(window)),
        (tr("Finanziario"), FinancePanel(window)),
    ]


def chair_actions(window: Host) -> list[QAction]:
    """Import of applications and the new-call wizard (the chair only)."""
    if not _is_chair(window):
        return []
    parent = window if isinstance(window, QWidget) else None
    importing = QAction(tr("Importa domande…"), parent)
    importing.triggered.connect(lambda: _import(window))
    new_call = QAction(tr("Nuovo bando (procedura guidata)…"), parent)
    new_call.triggered.connect(lambda: _new_call(window))
    return [importing, new_call]


def _import(window: Host) -> None:
    from ui.chair.import_wizard import ImportWizard

    wizard = ImportWizard(window, window if isinstance(window, QWidget) else None)
    wizard.exec()
    wizard.deleteLater()


def _new_call(window: Host) -> None:
    from ui.chair.bando_wizard import BandoWizard

    wizard = BandoWizard(window if isinstance(window, QWidget) else None, actor_name(window))
    if wizard.exec() and wizard.database is not None:
        opener = getattr(window, "set_database", None)
        if callable(opener):
            opener(wizard.database)
    wizard.deleteLater()
