"""The new-call wizard: a template from resources/bandi/, its rules shown and editable, then the file.

Every page edits one section of the same ``RulesEditor``; leaving a page asks the core to validate the
whole mapping and stops only on an error that belongs to that page, showing the core's message with the
TOML key, so the chair fixes the field where it is. The last page shows a summary and creates the file
with ``create_database``.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui.chair.common import StatusLine, euro, points, tr
from ui.chair.lot_notes import residual_rule_text
from ui.chair.rules_editor import FUNDING_LABELS, PRECISION_SHORT, RulesEditor, section_of
from ui.screen_fit import fit_to_screen
from valutazione.bando import TIE_SUBMISSION, Bando, bando_from_mapping, default_template
from valutazione.db import Database, create_database
from valutazione.errors import BandoError, ValutazioneError
from valutazione.paths import resource


def templates() -> list[Path]:
    """The bundled call templates, the Milan call first."""
    found = sorted(resource("bandi").glob("*.toml"))
    default = default_template()
    return sorted(found, key=lambda p: (p.resolve() != default.resolve(), p.name))


def _threshold(value: Decimal | None) -> str:
    return "—" if value is None else points(value)


def rules_summary(b: Bando) -> str:
    """The rules that decide the outcome, as HTML for the wizard's last page and the rules tab."""
    grid = "".join(
        f"<tr><td><b>{escape(c.code)}</b></td><td><b>{escape(c.name)}</b></td><td align=right><b>"
        f"{points(c.maximum, 0)}</b></td><td align=right>{_threshold(c.threshold)}</td></tr>"
        + "".join(
            f"<tr><td>{escape(s.code)}</td><td>{escape(s.description)}</td>"
            f"<td align=right>{points(s.maximum, 0)}</td><td></td></tr>"
            for s in c.subcriteria
        )
        for c in b.criteria
    )
    scale = " · ".join(f"{points(s.value, 1)} {escape(s.label)}" for s in b.scale)
    zones = "".join(f"<li>{z.number}. {escape(z.name)}</li>" for z in b.zones)
    total = "nessuna" if b.total_threshold is None else points(b.total_threshold)
    return (
        f"<h3>{escape(b.code)} — {escape(b.title)}</h3>"
        f"<p>{escape(b.authority)} · {escape(b.programme)} · {escape(b.action)}</p>"
        f"<p><b>{tr('Budget')}:</b> {euro(b.budget_cents)}"
        f" · <b>{tr('Contributo massimo')}:</b> {euro(b.cap_cents)}"
        f" · <b>{tr('Cofinanziamento minimo')}:</b> {points(b.min_cofinancing_percent, 0)}%"
        f" · <b>{tr('Scadenza')}:</b> {b.deadline.strftime('%d/%m/%Y %H:%M')}</p>"
        f"<p><b>{tr('Zone bersaglio')}:</b></p><ul>{zones}</ul>"
        f"<table cellspacing=0 cellpadding=3 border=1><tr><th>{tr('Codice')}</th><th>{tr('Criterio')}</th>"
        f"<th>{tr('Massimo')}</th><th>{tr('Soglia')}</th></tr>{grid}</table>"
        f"<p><b>{tr('Soglia sul totale')}:</b> {total} {tr('su')} {points(b.max_total, 0)} · "
        f"<b>{tr('Quorum')}:</b> {b.quorum}</p>"
        f"<p><b>{tr('Scala')}:</b> {scale}</p>"
        f"<p><b>{tr('Arrotondamento')}:</b> {escape(b.rounding_description)}</p>"
        f"<p><b>{tr('Spareggio')}:</b> {escape(' → '.join(b.tie_chain))}{_precision(b)}, "
        f"{tr('poi sorteggio pubblico')}</p>"
        f"<p><b>{tr('Regola di finanziamento')}:</b> {escape(tr(FUNDING_LABELS[b.funding_rule]))}</p>"
        + _lots_summary(b)
    )


def _precision(b: Bando) -> str:
    if TIE_SUBMISSION not in b.tie_chain:
        return ""
    return f" ({tr('orario di invio')} {escape(tr(PRECISION_SHORT[b.submission_precision]))})"


def _lots_summary(b: Bando) -> str:
    """The lots, quotas, caps per type and the rule for unused money (nothing for a single-budget call)."""
    rules = b.lots
    if not rules.active:
        return ""
    parts = []
    if rules.lots:
        items = "".join(
            f"<li>{escape(lot.code)} – {escape(lot.name)}: {euro(lot.budget_cents)}, "
            f"{tr('contributo massimo')} {euro(lot.cap_cents)}</li>"
            for lot in rules.lots
        )
        parts.append(f"<p><b>{tr('Lotti')}:</b></p><ul>{items}</ul>")
    for q in rules.quotas:
        share = f"{points(q.percent, 0)} %" if q.percent is not None else euro(q.amount_cents or 0)
        where = tr("del lotto ") + escape(q.lot) if q.lot else tr("del bando")
        parts.append(
            f"<p><b>{tr('Quota riservata')} {escape(q.code)}:</b> {share} {where} "
            f"{tr('alle domande con')} «{escape(q.prop)}»</p>"
        )
    if rules.project_types:
        kinds = "; ".join(f"{escape(t.name)} {euro(t.cap_cents)}" for t in rules.project_types)
        parts.append(f"<p><b>{tr('Massimale per tipo di progetto')}:</b> {kinds}</p>")
    if rules.max_funded_per_applicant is not None:
        parts.append(f"<p><b>{tr('Domande finanziate per proponente')}:</b> {rules.max_funded_per_applicant}</p>")
    if rules.lots:
        parts.append(
            f"<p><b>{tr('Risorse non usate da un lotto')}:</b> {escape(residual_rule_text(rules.residual_rule))}</p>"
        )
    return "".join(parts)


class StartPage(QWizardPage):
    def __init__(self, wizard: BandoWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Nuovo bando"))
        self.setSubTitle(tr("Scegliere il modello di bando e dove salvare il file di valutazione."))
        self.template = QComboBox()
        for path in templates():
            self.template.addItem(path.stem, str(path))
        self.template.currentIndexChanged.connect(lambda _i: wizard.load_template(Path(self.template.currentData())))
        self.path = QLineEdit()
        self.path.setPlaceholderText(tr("es. Documenti/MI331e.valutazione"))
        browse = QPushButton(tr("Sfoglia…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        self.status = StatusLine()
        form = QFormLayout(self)
        form.addRow(tr("Modello:"), self.template)
        form.addRow(tr("File da creare:"), row)
        form.addRow(self.status)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, tr("Nuovo file di valutazione"), "", tr("File di valutazione (*.valutazione)")
        )
        if name:
            self.path.setText(name if name.endswith(".valutazione") else name + ".valutazione")

    def validatePage(self) -> bool:
        text = self.path.text().strip()
        if not text:
            self.status.fail(tr("Indicare il file da creare."))
            return False
        if Path(text).exists():
            self.status.fail(tr("Il file esiste già: scegliere un altro nome."))
            return False
        return True


class SectionPage(QWizardPage):
    """One section of the rules; refuses to go on only for errors that belong to this section."""

    def __init__(self, wizard: BandoWizard, section: str, title: str, subtitle: str) -> None:
        super().__init__()
        self.wiz, self.section = wizard, section
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.status = StatusLine()
        # In a scroll area: the wizard is as tall as its tallest page, and on a laptop with a taskbar the
        # general data's fourteen rows would push Avanti off the screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(wizard.editor.sections[section])
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)

    def validatePage(self) -> bool:
        error = self.wiz.editor.error_of()
        if error is not None and section_of(error.key) == self.section:
            self.status.fail(str(error))
            return False
        self.status.clear()
        return True


class SummaryPage(QWizardPage):
    def __init__(self, wizard: BandoWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Riepilogo delle regole"))
        self.setSubTitle(tr("Controllare le regole: con «Crea il bando» si crea il file di valutazione."))
        self.summary = QTextBrowser()
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.status)

    def initializePage(self) -> None:
        error = self.wiz.editor.error_of()
        if error is None:
            self.summary.setHtml(rules_summary(self.wiz.editor.validate()))
            self.status.clear()
        else:
            self.summary.clear()
            self.status.fail(str(error))

    def validatePage(self) -> bool:
        try:
            self.wiz.create_database()
        except (BandoError, ValutazioneError) as exc:
            self.status.fail(str(exc))
            return False
        return True


class BandoWizard(QWizard):
    """Creates a new file; afterwards ``database`` is the open file and ``created_path`` its path."""

    PREFERRED = QSize(1000, 720)  # shrunk to the free screen (ui/screen_fit.py)

    def __init__(self, parent: QWidget | None = None, actor: str = "presidente") -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Nuovo bando"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, tr("Avanti >"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("< Indietro"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("Annulla"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("Crea il bando"))
        self.actor = actor
        self.database: Database | None = None
        self.created_path: Path | None = None
        self.source_toml, mapping = self._read(default_template())
        self.editor = RulesEditor(mapping)
        self.start = StartPage(self)
        self.addPage(self.start)
        self.sections = [
            SectionPage(
                self,
                "generale",
                tr("Dati del bando"),
                tr("Budget, contributo massimo, cofinanziamento, scadenza, quorum, soggetti ammessi."),
            ),
            SectionPage(self, "zone", tr("Zone bersaglio"), tr("Le zone in cui devono svolgersi i progetti.")),
            SectionPage(
                self,
                "griglia",
                tr("Griglia di valutazione"),
                tr("Criteri e sottocriteri con i punteggi massimi e le soglie di sbarramento."),
            ),
            SectionPage(
                self,
                "valutazione",
                tr("Regole di valutazione"),
                tr("Scala dei giudizi, arrotondamento, spareggio, regola di finanziamento."),
            ),
        ]
        for page in self.sections:
            self.addPage(page)
        self.summary = SummaryPage(self)
        self.addPage(self.summary)
        fit_to_screen(self, self.PREFERRED)

    @staticmethod
    def _read(path: Path) -> tuple[str, dict[str, Any]]:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)

    def load_template(self, path: Path) -> None:
        self.source_toml, mapping = self._read(path)
        self.editor.reset(mapping)

    def create_database(self) -> Database:
        bando = self.editor.validate()
        path = Path(self.start.path.text().strip())
        unchanged = bando == bando_from_mapping(tomllib.loads(self.source_toml))
        self.database = create_database(path, bando, self.source_toml if unchanged else "", actor=self.actor)
        self.created_path = path
        return self.database
