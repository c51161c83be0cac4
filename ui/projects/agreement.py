"""The project page's first two tabs: the agreement (sign, re-determine, revoke) and the payments.

Revocation and renunciation are asked to be confirmed, then recorded together with the sliding of the
ranking it makes possible (as ``valutazione convenzione revoca`` does): the page shows the money freed,
the new provisional version and the applications that enter among the funded ones.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from ui import dialogs
from ui.chair.common import ROME, actor_name, date_edit, day_it, euro, from_qdate, to_qdate, tr
from ui.models.filter_bar import SearchableTable
from ui.models.table import RIGHT, Column, RowTableModel
from ui.projects.fields import add_button, cents, group, line
from valutazione.backups import take_backup
from valutazione.errors import ValutazioneError
from valutazione.money import format_decimal_it, from_cents
from valutazione.projects import agreements, payments
from valutazione.projects.counter_entries import counter_entry
from valutazione.projects.payments import PaymentInfo
from valutazione.projects.states import ACTIVE, RENOUNCED, REVOKED
from valutazione.projects.views import ProjectDetail
from valutazione.services import Session

if TYPE_CHECKING:
    from ui.projects.page import ProjectPage


def amount_field_text(value: int) -> str:
    return format_decimal_it(from_cents(value), 2)


def _end_of(start: date, months: int | None) -> date:
    year, month = divmod(start.month - 1 + (months or 12), 12)
    return date(start.year + year, month + 1, min(start.day, 28))


class AgreementTab(QWidget):
    def __init__(self, page: ProjectPage) -> None:
        super().__init__()
        self.page = page
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.signed_on = date_edit()
        self.amount = line(tr("es. 25.000,00"))
        self.start_on = date_edit()
        self.end_on = date_edit()
        self.cup = line(tr("15 caratteri, se assegnato"))
        self.act = line(tr("n. di repertorio o dell'atto di concessione"))
        self.reason = line(tr("solo se l'importo è inferiore al contributo"))
        self.sign_button = QPushButton(tr("Registra la convenzione firmata"))
        self.sign_button.clicked.connect(self.sign)
        self.sign_box, form = group(
            tr("Firma della convenzione"),
            [
                (tr("Data di firma:"), self.signed_on),
                (tr("Importo (€):"), self.amount),
                (tr("Inizio progetto:"), self.start_on),
                (tr("Fine progetto:"), self.end_on),
                (tr("CUP:"), self.cup),
                (tr("Atto:"), self.act),
                (tr("Motivo rideterminazione:"), self.reason),
            ],
        )
        add_button(form, self.sign_button)
        self.new_amount = line(tr("nuovo importo, minore"))
        self.new_reason = line(tr("motivo della rideterminazione"))
        self.redetermine_button = QPushButton(tr("Ridetermina l'importo"))
        self.redetermine_button.clicked.connect(self.redetermine)
        self.redetermine_box, form = group(
            tr("Rideterminazione"), [(tr("Importo (€):"), self.new_amount), (tr("Motivo:"), self.new_reason)]
        )
        add_button(form, self.redetermine_button)
        self.outcome = QComboBox()
        self.outcome.addItem(tr("Revoca"), REVOKED)
        self.outcome.addItem(tr("Rinuncia del beneficiario"), RENOUNCED)
        self.closed_on = date_edit()
        self.close_reason = line(tr("motivo (obbligatorio)"))
        self.close_button = QPushButton(tr("Registra revoca o rinuncia…"))
        self.close_button.clicked.connect(self.close_agreement)
        self.close_box, form = group(
            tr("Revoca o rinuncia"),
            [(tr("Esito:"), self.outcome), (tr("Data:"), self.closed_on), (tr("Motivo:"), self.close_reason)],
        )
        add_button(form, self.close_button)
        self.sliding = QLabel()
        self.sliding.setWordWrap(True)
        self.sliding.setObjectName("sliding")
        right = QVBoxLayout()
        right.addWidget(self.redetermine_box)
        right.addWidget(self.close_box)
        right.addStretch(1)
        actions = QWidget()
        actions.setLayout(right)
        actions.setMaximumWidth(660)
        right.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.sign_box, 1)
        row.addWidget(actions, 1)
        row.addStretch(0)  # once signed, the remaining boxes stay at the left instead of centred
        self.sliding.setStyleSheet("background: #e3ecf7; padding: 6px;")
        self.sliding.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.sliding)
        layout.addLayout(row)
        layout.addStretch(1)

    def show_detail(self, d: ProjectDetail) -> None:
        a = d.agreement
        self.sign_box.setVisible(a is None)
        self.redetermine_box.setVisible(a is not None and a.state == ACTIVE)
        self.close_box.setVisible(a is not None and a.state == ACTIVE)
        if a is None:
            self.info.setText(tr("Convenzione non ancora registrata. Contributo concesso: ") + euro(d.grant_cents))
            if not self.amount.text():
                self.amount.setText(amount_field_text(d.grant_cents))
            start = from_qdate(self.start_on.date())
            self.end_on.setDate(to_qdate(_end_of(start, d.duration_months)))
            return
        lines = [
            tr("<b>Convenzione firmata il {d}</b> — importo {a} (contributo concesso {g})").format(
                d=day_it(a.signed_on), a=euro(a.amount_cents), g=euro(a.grant_cents)
            ),
            tr("Progetto dal {s} al {e}; CUP {c}; atto {t}").format(
                s=day_it(a.start_on), e=day_it(a.end_on), c=escape(a.cup) or "—", t=escape(a.act) or "—"
            ),
        ]
        # the label is rich text: typed text is escaped, or «<b>Convenzione attiva</b>» in a reason would
        # read as the program's own words
        if a.reason:
            lines.append(tr("Rideterminazione: ") + escape(a.reason))
        if a.state != ACTIVE:
            lines.append(
                tr("<b>Convenzione {s} il {d}</b>: {r}").format(
                    s=a.state, d=day_it(a.closed_on), r=escape(a.closed_reason)
                )
            )
        self.info.setText("<br>".join(lines))

    def sign(self) -> None:
        p = self.page
        actor, protocol = actor_name(p.host), p.protocol
        amount_text, signed = self.amount.text(), from_qdate(self.signed_on.date())
        start, end = from_qdate(self.start_on.date()), from_qdate(self.end_on.date())
        cup, act, reason = self.cup.text(), self.act.text(), self.reason.text()

        def action(s: Session) -> agreements.AgreementInfo:
            return agreements.sign(
                s,
                actor,
                protocol,
                signed_on=signed,
                amount_cents=cents(amount_text, tr("Importo della convenzione")),
                start_on=start,
                end_on=end,
                cup=cup,
                act=act,
                reason=reason,
            )

        info = p.act(action)
        if info is not None:
            p.status.ok(
                tr("Convenzione di {p} registrata: {a} giuridicamente vincolanti.").format(
                    p=protocol, a=euro(info.amount_cents)
                )
            )

    def redetermine(self) -> None:
        p = self.page
        actor, protocol, text, reason = actor_name(p.host), p.protocol, self.new_amount.text(), self.new_reason.text()
        info = p.act(
            lambda s: agreements.redetermine(s, actor, protocol, cents(text, tr("Importo rideterminato")), reason)
        )
        if info is not None:
            p.status.ok(tr("Convenzione rideterminata a {a}.").format(a=euro(info.amount_cents)))
            self.new_amount.clear()
            self.new_reason.clear()

    def close_agreement(self) -> None:
        p = self.page
        actor, protocol = actor_name(p.host), p.protocol
        state, label = str(self.outcome.currentData()), self.outcome.currentText().lower()
        day, reason = from_qdate(self.closed_on.date()), self.close_reason.text()
        question = tr(
            "Registrare la {l} della convenzione di {p}?\nLa graduatoria scorrerà: si crea una nuova versione "
            "provvisoria, da approvare come definitiva."
        ).format(l=label, p=protocol)
        if not dialogs.confirm(self, tr("Revoca o rinuncia"), question, yes=tr("Registra")):
            return

        result = p.act(lambda s: agreements.close_and_slide(s, actor, protocol, state, day, reason))
        if result is None:
            return
        freed, version, entering = result.freed_cents, result.version, result.entering
        try:
            take_backup(p.host.db.location, "scorrimento graduatoria")
            saved = tr(" Copia di sicurezza salvata.")
        except (ValutazioneError, OSError) as exc:
            saved = tr(" Copia di sicurezza NON riuscita: ") + str(exc)
        text = tr(
            "Liberati {f}. Proposta di scorrimento: graduatoria provvisoria versione {v}, da approvare come "
            "definitiva. Entrano fra i finanziati: {e}."
        ).format(f=euro(freed), v=version, e=", ".join(entering) if entering else tr("nessuna domanda"))
        self.sliding.setText(text)
        self.sliding.show()
        p.status.ok(tr("Convenzione di {p} {s}.").format(p=protocol, s=state) + saved)


class PaymentsModel(RowTableModel[PaymentInfo]):
    columns = (
        Column[PaymentInfo](tr("Data"), lambda r: r.on_day, day_it),
        Column[PaymentInfo](tr("Tipo"), lambda r: payments.TYPES.get(r.kind, r.kind)),
        Column[PaymentInfo](tr("Importo"), lambda r: r.signed_cents, euro, RIGHT),
        Column[PaymentInfo](tr("Atto"), lambda r: r.act),
        Column[PaymentInfo](tr("Nota"), lambda r: r.note),
    )


class PaymentsTab(QWidget):
    def __init__(self, page: ProjectPage) -> None:
        super().__init__()
        self.page = page
        self.model = PaymentsModel(parent=self)
        view = SearchableTable(self.model, "erogazioni", key="progetti/erogazioni")
        self.view, self.table = view, view.table
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.totals = QLabel()
        self.kind = QComboBox()
        for key, label in payments.TYPES.items():
            self.kind.addItem(label, key)
        self.day = date_edit()
        self.amount = line(tr("es. 10.000,00"))
        self.act = line(tr("n. dell'atto di liquidazione o del mandato"))
        self.note = line()
        self.record_button = QPushButton(tr("Registra l'erogazione"))
        self.record_button.clicked.connect(self.record)
        self.reverse_button = QPushButton(tr("Storna la riga selezionata…"))
        self.reverse_button.setToolTip(
            tr("Corregge un'erogazione registrata per errore con una riga opposta: la riga errata resta visibile")
        )
        self.reverse_button.clicked.connect(self.reverse)
        box, form = group(
            tr("Nuova erogazione"),
            [
                (tr("Tipo:"), self.kind),
                (tr("Data:"), self.day),
                (tr("Importo (€):"), self.amount),
                (tr("Atto:"), self.act),
                (tr("Nota:"), self.note),
            ],
        )
        add_button(form, self.record_button)
        left = QVBoxLayout()
        left.addWidget(self.totals)
        left.addWidget(view, 1)
        reverse_row = QHBoxLayout()
        reverse_row.addStretch(1)
        reverse_row.addWidget(self.reverse_button)
        left.addLayout(reverse_row)
        right = QVBoxLayout()
        right.addWidget(box)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    def show_detail(self, d: ProjectDetail) -> None:
        self.model.set_rows(d.payments)
        a = d.agreement
        binding = 0 if a is None else (a.amount_cents if a.state == ACTIVE else d.paid_cents)  # as binding_cents
        self.totals.setText(
            tr("Erogato {e} su {b} giuridicamente vincolanti.").format(e=euro(d.paid_cents), b=euro(binding))
            if a is not None
            else tr("Nessuna erogazione prima della convenzione.")
        )
        self.setEnabled(a is not None)

    def record(self) -> None:
        p = self.page
        actor, protocol, kind = actor_name(p.host), p.protocol, str(self.kind.currentData())
        day, text, act, note = from_qdate(self.day.date()), self.amount.text(), self.act.text(), self.note.text()
        info = p.act(
            lambda s: payments.record(
                s, actor, protocol, kind, day, cents(text, tr("Importo dell'erogazione")), act, note
            )
        )
        if info is not None:
            p.status.ok(
                tr("Erogazione ({k}) di {a} registrata.").format(k=payments.TYPES[kind], a=euro(info.amount_cents))
            )
            self.amount.clear()
            self.act.clear()
            self.note.clear()
            if kind == payments.ADVANCE:  # after the advance come the progress payments
                self.kind.setCurrentIndex(self.kind.findData(payments.PROGRESS))

    def reverse(self) -> None:
        """The selected payment cancelled by a counter-entry, with a reason and after a confirmation."""
        p = self.page
        chosen: PaymentInfo | None = self.view.selected()  # through the filter: the row the user sees
        if chosen is None:
            p.status.fail(tr("Selezionare nell'elenco l'erogazione da stornare."))
            return
        what = tr("{k} del {d} di {a}").format(
            k=payments.TYPES[chosen.kind], d=day_it(chosen.on_day), a=euro(chosen.amount_cents)
        )
        reason = dialogs.ask_text(self, tr("Storno dell'erogazione"), tr("Motivo dello storno ({w}):").format(w=what))
        if reason is None:
            return
        if not dialogs.confirm(
            self,
            tr("Storno dell'erogazione"),
            tr(
                "Stornare l'erogazione ({w})? Viene registrata una riga opposta dello stesso importo; la riga "
                "originale resta nell'elenco e nel registro."
            ).format(w=what),
            yes=tr("Storna"),
        ):
            return
        actor, today = actor_name(p.host), datetime.now(ROME).date()
        info = p.act(lambda s: counter_entry(s, actor, chosen.id, today, reason))
        if info is not None:
            p.status.ok(tr("Storno registrato: {w}.").format(w=what))
