"""«Stato di avanzamento»: the city's report on the funded projects, computed from the file, never typed.

First the four figures (programmato, ammesso, giuridicamente vincolante, erogato) with the check that they
nest, then per zone and per beneficiary, then one section per project (agreement, payments, support hours
against the plan, indicators), and last the indicators summed or averaged per zone and for the whole call.
Landscape pages, like the internal ranking, so that a beneficiary's row holds on one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer
from sqlalchemy.orm import Session

from valutazione.money import plain_it
from valutazione.projects.agreements import AgreementInfo
from valutazione.projects.impacts import IndicatorLine
from valutazione.projects.monitoring import Figures
from valutazione.projects.payments import TYPES
from valutazione.projects.report_data import ProgressData, collect_progress
from valutazione.projects.states import ACTIVE
from valutazione.projects.views import ProjectDetail
from valutazione.reports.layout import (
    FONT_BOLD,
    DocumentPage,
    Styles,
    cell_para,
    data_table,
    date_it,
    euro,
    fingerprint_of,
    key_value_table,
    para,
)

RED = colors.HexColor("#b71c1c")
BEHIND_BG = colors.HexColor("#fde2c8")


def _day(value: date | None) -> str:
    return "–" if value is None else value.strftime("%d/%m/%Y")


def _num(value: Decimal | None) -> str:
    return "–" if value is None else plain_it(value)


PAD = 2 * 2.5  # data_table's left and right cell padding


def _table(head: Sequence[str], rows: list[list[str]], widths: Sequence[float], s: Styles, right: set[int]) -> Flowable:
    """A grid whose cells are shortened with «…» past a few lines: one payment's note or one phase's name
    taller than a page (free text typed in the project page) would otherwise fail the whole report."""
    body = [[cell_para(h, s.cell_head, w - PAD) for h, w in zip(head, widths, strict=True)]]
    body += [
        [
            cell_para(v, s.cell_right if i in right else s.cell, w - PAD)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        ]
        for row in rows
    ]
    return data_table(body, widths)


def _figures(data: ProgressData, s: Styles, width: float) -> list[Flowable]:
    sm = data.summary
    head = ["Importo programmato", "Ammesso a finanziamento", "Giuridicamente vincolante", "Erogato"]
    values = [sm.programmato_cents, sm.ammesso_cents, sm.vincolante_cents, sm.erogato_cents]
    big = [[para(h, s.cell_head) for h in head], [para(euro(v), s.h2) for v in values]]
    story: list[Flowable] = [
        para("Le quattro grandezze finanziarie", s.h2),
        data_table(big, [width / 4] * 4, zebra=False),
    ]
    if data.problems:
        story.append(Spacer(1, 2 * mm))
        anomaly = ParagraphStyle("anomaly", parent=s.body, textColor=RED, fontName=FONT_BOLD)
        story += [para(f"ANOMALIA: {problem}", anomaly) for problem in data.problems]
    else:
        story.append(
            para(
                "Le grandezze sono coerenti: erogato ≤ giuridicamente vincolante ≤ ammesso ≤ programmato, "
                "per ogni beneficiario e in totale.",
                s.note,
            )
        )
    return story


def _money_row(f: Figures) -> list[str]:
    return [euro(f.ammesso_cents), euro(f.vincolante_cents), euro(f.erogato_cents)]


def _by_zone(data: ProgressData, s: Styles, width: float) -> list[Flowable]:
    count = {z: sum(1 for x in data.summary.lines if x.zone == z) for z, _ in data.summary.by_zone}
    rows = [[z, str(count[z]), *_money_row(f)] for z, f in data.summary.by_zone]
    rows.append(["Totale", str(len(data.summary.lines)), *_money_row(data.summary.total)])
    w = [width - 130 * mm, 20 * mm, 36 * mm, 38 * mm, 36 * mm]
    head = ["Zona", "Progetti", "Ammesso", "Vincolante", "Erogato"]
    return [para("Per zona", s.h2), _table(head, rows, w, s, {1, 2, 3, 4})]


def _by_beneficiary(data: ProgressData, s: Styles, width: float) -> list[Flowable]:
    rows = []
    behind_rows = []
    for i, x in enumerate(data.summary.lines, start=1):
        hours = f"{_num(Decimal(x.hours_used))} / {_num(Decimal(x.hours_planned))}" if x.hours_planned else "–"
        if x.behind:
            hours += " in ritardo"
            behind_rows.append(i)
        rows.append([x.protocol, x.applicant, x.zone, x.state, *_money_row(x.figures), hours])
    w = [22 * mm, 0.0, 50 * mm, 30 * mm, 26 * mm, 26 * mm, 26 * mm, 30 * mm]
    w[1] = width - sum(w)
    head = ["Protocollo", "Beneficiario", "Zona", "Stato", "Ammesso", "Vincolante", "Erogato", "Affiancamento (ore)"]
    table = _table(head, rows, w, s, {4, 5, 6, 7})
    table.setStyle([("BACKGROUND", (0, r), (-1, r), BEHIND_BG) for r in behind_rows])
    story: list[Flowable] = [para("Per beneficiario", s.h2), table]
    if behind_rows:
        story.append(para("In arancio i progetti con l'affiancamento in ritardo rispetto al piano.", s.note))
    return story


def _agreement_pairs(a: AgreementInfo | None, d: ProjectDetail) -> list[tuple[str, str]]:
    if a is None:
        return [("Convenzione", "non ancora firmata"), ("Contributo concesso", euro(d.grant_cents))]
    amount = f"{euro(a.amount_cents)} (contributo concesso {euro(a.grant_cents)})"
    pairs = [
        ("Convenzione", f"firmata il {_day(a.signed_on)}, atto {a.act or '–'}, CUP {a.cup or '–'}"),
        ("Importo vincolante" if a.state == ACTIVE else "Importo della convenzione", amount),
        ("Progetto", f"dal {_day(a.start_on)} al {_day(a.end_on)}"),
    ]
    if a.reason:
        pairs.append(("Rideterminazione", a.reason))
    if a.state != ACTIVE:
        # After a revocation only what was paid and not yet recovered stays bound (agreements.binding_cents):
        # the agreement's amount under «Importo vincolante» told the reader the opposite of the summary.
        pairs.append((f"Convenzione {a.state}", f"il {_day(a.closed_on)}: {a.closed_reason}"))
        pairs.append(("Vincolante dopo la chiusura", f"{euro(d.paid_cents)} (erogato non ancora recuperato)"))
    return pairs


def _indicator_rows(lines: Sequence[IndicatorLine]) -> list[list[str]]:
    return [
        [x.code, x.name, x.unit, _num(x.baseline), _num(x.target), _num(x.current), _day(x.current_on)] for x in lines
    ]


def _indicator_widths(width: float) -> list[float]:
    w = [14 * mm, 0.0, 24 * mm, 24 * mm, 24 * mm, 26 * mm, 24 * mm]
    w[1] = width - sum(w)
    return w


INDICATOR_HEAD = ["Codice", "Indicatore", "Unità", "Partenza", "Obiettivo", "Valore attuale", "Rilevato il"]


def _project(d: ProjectDetail, today: date, s: Styles, width: float) -> list[Flowable]:
    """One project with an agreement: the agreement, then payments, support and indicators as tables."""
    narrow = width * 0.72
    head: list[Flowable] = [
        para(f"{d.protocol} – {d.applicant}", s.h3),
        para(f"{d.title} · {d.zone}", s.small),
        Spacer(1, 1.5 * mm),
        key_value_table(_agreement_pairs(d.agreement, d), narrow, s, label_share=0.28),
    ]
    story: list[Flowable] = []
    if d.payments:
        rows = [
            [_day(p.on_day), TYPES.get(p.kind, p.kind), euro(p.signed_cents), p.act or "–", p.note] for p in d.payments
        ]
        rows.append(["", "Erogato netto", euro(d.paid_cents), "", ""])
        w = [24 * mm, 48 * mm, 30 * mm, 40 * mm, 0.0]
        w[4] = narrow - sum(w)
        story += [Spacer(1, 2 * mm), _table(["Data", "Erogazione", "Importo", "Atto", "Nota"], rows, w, s, {2})]
    else:
        story += [Spacer(1, 1.5 * mm), para("Nessuna erogazione registrata.", s.small)]
    st = d.support
    if st is not None and st.phases:
        rows = [[p.name, p.mentor or "–", _num(p.planned), _num(p.used)] for p in st.phases]
        rows.append(["Totale", "", _num(st.planned), _num(st.used)])
        w = [50 * mm, 0.0, 26 * mm, 26 * mm]
        w[1] = narrow - sum(w)
        text = f"Ore dovute al {_day(today)}: {_num(st.due)}; svolte {_num(st.used)}."
        if st.behind:
            text += " L'affiancamento è in ritardo rispetto al piano."
        story += [
            Spacer(1, 2 * mm),
            _table(["Fase di affiancamento", "Affiancatore", "Ore piano", "Ore svolte"], rows, w, s, {2, 3}),
            Spacer(1, 1 * mm),
            para(text, s.small),
        ]
    if any(x.baseline is not None or x.current is not None for x in d.indicators):
        rows = _indicator_rows(d.indicators)
        story += [Spacer(1, 2 * mm), _table(INDICATOR_HEAD, rows, _indicator_widths(width), s, {3, 4, 5})]
    return [CondPageBreak(40 * mm), KeepTogether(head), *story, Spacer(1, 4 * mm)]


def _unsigned(details: Sequence[ProjectDetail], s: Styles, width: float) -> list[Flowable]:
    """The funded projects still without an agreement, in one table rather than a section each."""
    rows = [[d.protocol, d.applicant, d.title, d.zone, euro(d.grant_cents)] for d in details]
    w = [22 * mm, 62 * mm, 0.0, 62 * mm, 30 * mm]
    w[2] = width - sum(w)
    head = ["Protocollo", "Beneficiario", "Progetto", "Zona", "Contributo concesso"]
    return [para("Progetti finanziati senza convenzione", s.h3), _table(head, rows, w, s, {4}), Spacer(1, 4 * mm)]


def _indicators(data: ProgressData, s: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        CondPageBreak(50 * mm),
        para("Ricadute attese: indicatori del bando", s.h2),
        para(
            "Somma dei progetti per gli indicatori numerici, media per le percentuali; un progetto senza "
            "valore non entra nel calcolo. Solo i progetti con convenzione.",
            s.note,
        ),
    ]
    if not data.call_indicators:
        return [*story, para("Il bando non prevede indicatori di ricaduta.", s.body)]
    w = _indicator_widths(width)
    story += [
        para("Intero bando", s.h3),
        _table(INDICATOR_HEAD, _indicator_rows(data.call_indicators), w, s, {3, 4, 5}),
    ]
    for zone, lines in data.zone_indicators:
        story += [para(zone, s.h3), _table(INDICATOR_HEAD, _indicator_rows(lines), w, s, {3, 4, 5})]
    return story


def render_avanzamento(data: ProgressData) -> bytes:
    """The report as PDF bytes (embedded DejaVu fonts, fingerprint of the facts in the footer)."""
    page = DocumentPage(
        data.bando,
        title="Stato di avanzamento",
        subject=f"Stato di avanzamento dei progetti finanziati al {date_it(data.today)}",
        fingerprint=fingerprint_of(data.content()),
        landscape_pages=True,
    )
    s, width = page.styles, page.frame_width
    b = data.bando
    version = data.summary.ranking_version
    source = f"graduatoria definitiva, versione {version}" if version else "nessuna graduatoria definitiva approvata"
    story: list[Flowable] = [
        para("Stato di avanzamento dei progetti finanziati", s.title),
        para(f"{b.authority} – {b.programme} – {b.action} – progetto {b.code}\n{b.title}", s.subtitle),
        para(
            f"Situazione al {date_it(data.today)}. Ammesso a finanziamento dalla {source}; vincolante dalle "
            "convenzioni firmate; erogato dalle erogazioni al netto dei recuperi. Importi calcolati dal file "
            "della commissione, non digitati.",
            s.body,
        ),
    ]
    story += _figures(data, s, width)
    if data.summary.lines:
        story += _by_zone(data, s, width)
        story += _by_beneficiary(data, s, width)
        story += [PageBreak(), para("Progetti", s.h2)]
        for d in data.details:
            if d.agreement is not None:
                story += _project(d, data.today, s, width)
        unsigned = [d for d in data.details if d.agreement is None]
        if unsigned:
            story += _unsigned(unsigned, s, width)
    else:
        story.append(para("Nessun progetto finanziato.", s.body))
    story += _indicators(data, s, width)
    return page.build(story)


def build_avanzamento_pdf(s: Session, today: date | None = None) -> bytes:
    """The report straight from an open file (the GUI's and the CLI's entry point)."""
    return render_avanzamento(collect_progress(s, today))
