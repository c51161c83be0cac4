"""The ranking PDF: internal (every criterion, the funding line, the parameters) and public.

The internal ranking is what the committee approves and the office adopts: it must let anyone reproduce
each number, so it prints raw and final points, the funding line, the budget totals and every parameter
that produced it, with the fingerprint. The public one (Amministrazione trasparente, docs/regole.md § 15)
carries only the body's name, tax code, title, score, grant and outcome: no natural person appears in it,
neither a legal representative nor a member of the committee.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from valutazione.bando import Bando
from valutazione.exports.publication import PublicationCount, identities
from valutazione.ranking import TOTAL, RankingStatus
from valutazione.reports.layout import (
    DocumentPage,
    Styles,
    date_it,
    datetime_it,
    euro,
    key_value_table,
    para,
    points,
)
from valutazione.reports.lots_section import (
    lot_parameter_pairs,
    lot_sections,
    note_label,
    redistribution_summary,
    residual_label,
)
from valutazione.reports.ranking_view import RankingView, ViewRow
from valutazione.reports.rows_table import (
    BOLD,
    GREY,
    LEFT,
    RED,
    RIGHT,
    TEXT,
    Banner,
    Cell,
    RowsTable,
    Span,
    funding_banner,
)

LANDSCAPE_FRAME = 297 * mm - 36 * mm  # the landscape A4 frame: page width less both margins
RESCALING_LABELS = {
    "nessuna": "nessuna",
    "prima": "prima riparametrazione (per criterio)",
    "prima_e_seconda": "prima (per criterio) e seconda (sul totale)",
}
FUNDING_LABELS = {
    "parziale": "parziale: la prima domanda che non rientra riceve il residuo, poi ci si ferma",
    "rigida": "rigida: ci si ferma alla prima domanda che non rientra",
    "salta": "a salto: si saltano le domande che non rientrano e si prosegue",
}
METHOD_LABELS = {
    "coefficienti": "coefficienti di giudizio 0–1 × punteggio massimo",
    "punti": "punti attribuiti direttamente",
}


def _title(view: RankingView, public: bool) -> str:
    kind = "Graduatoria" if view.approved else "Graduatoria – calcolo"
    state = view.state if view.approved else "non approvata"
    prefix = "Pubblicazione – " if public else ""
    return f"{prefix}{kind} {state}"


def _heading(view: RankingView, bando: Bando, styles: Styles, public: bool) -> list[Flowable]:
    story: list[Flowable] = [para(_title(view, public), styles.title)]
    if view.approved:
        when = datetime_it(view.approved_at) if view.approved_at else "data non registrata"
        line = f"Versione {view.version}, approvata il {when}"
        if view.approved_by and not public:
            line += f" da {view.approved_by}"
    else:
        line = (
            "Elaborazione NON APPROVATA: documento di lavoro della commissione, "
            f"stampato il {date_it(datetime.now().astimezone())}; non ha valore di atto."
        )
    story.append(para(f"{bando.authority} – {bando.programme} – {bando.code}\n{line}", styles.subtitle))
    return story


def _totals(view: RankingView, styles: Styles, width: float) -> Flowable:
    count: dict[RankingStatus, int] = {}
    for r in view.rows:
        count[r.status] = count.get(r.status, 0) + 1
    pairs = [
        ("Risorse disponibili (importo programmato)", euro(view.budget_cents)),
        ("Contributi assegnati", euro(view.allocated_cents)),
        ("Risorse residue", euro(view.remaining_cents)),
        ("Domande in graduatoria", str(sum(1 for r in view.rows if r.position is not None))),
    ]
    pairs += [(s.label, str(count[s])) for s in RankingStatus if s in count]  # in the enumeration's order
    pairs.append(("Impronta SHA-256 della graduatoria", view.fingerprint))
    return key_value_table(pairs, width, styles, label_share=0.4)


def _criterion_cell(row: ViewRow, code: str, failed: bool) -> Cell:
    final = row.criteria_final.get(code)
    raw = row.criteria_raw.get(code) if row.criteria_raw else None
    cell: list[Span] = [(points(final) + ("\u00a0▼" if failed else ""), RED if failed else TEXT)]
    if raw is not None and final is not None and raw != final:
        cell.append((f"({points(raw)})", GREY))
    return cell


def _name_cell(applicant: str, tax_code: str) -> Cell:
    return [(applicant, TEXT), (tax_code, GREY)]


def _ranking_table(
    view: RankingView, rows: Sequence[ViewRow], bando: Bando, line_after: int | None, banner: str | None = None
) -> Flowable:
    codes = [c.code for c in bando.criteria]
    head = [
        "Pos.",
        "Protocollo",
        "Proponente (codice fiscale)",
        "Titolo del progetto",
        *[f"{c.code}\n(max {points(c.maximum, 0)})" for c in bando.criteria],
        "Totale",
        "Richiesto",
        "Contributo",
        "Esito",
    ]
    data: list[Sequence[Cell] | Banner] = []
    for i, r in enumerate(rows):
        failed = {c for c, _, _ in r.threshold_failures}
        position: list[Span] = [(str(r.position) if r.position is not None else "–", TEXT)]
        if r.tie:
            position.append((r.tie, RED))
        total: list[Span] = [(points(r.total_final), BOLD)]
        if r.total_raw is not None and r.total_raw != r.total_final:
            total.append((f"({points(r.total_raw)})", GREY))
        data.append(
            [
                position,
                r.protocol,
                _name_cell(r.applicant, r.tax_code),
                r.title,
                *[_criterion_cell(r, c, c in failed) for c in codes],
                total,
                euro(r.requested_cents) if r.requested_cents is not None else "–",
                [(euro(r.grant_cents), BOLD)] if r.grant_cents else "–",
                [(r.status.short, TEXT), (note_label(r.funding_note), GREY)] if r.funding_note else r.status.short,
            ]
        )
        if line_after is not None and i == line_after - 1:
            text = banner or (
                f"▲ LINEA DI FINANZIAMENTO – assegnati {euro(view.allocated_cents)} su "
                f"{euro(view.budget_cents)}; residuo {euro(view.remaining_cents)}"
            )
            data.append(funding_banner(text))
    widths = [10 * mm, 21 * mm, 47 * mm, 0.0, *[13.5 * mm] * len(codes), 15 * mm, 21 * mm, 21 * mm, 20 * mm]
    widths[3] = LANDSCAPE_FRAME - sum(widths)
    aligns = [LEFT, LEFT, LEFT, LEFT, *[RIGHT] * len(codes), RIGHT, RIGHT, RIGHT, LEFT]
    return RowsTable(head, data, widths, aligns)


def _failures_text(row: ViewRow) -> str:
    parts = []
    for code, got, threshold in row.threshold_failures:
        name = "totale" if code == TOTAL else f"criterio {code}"
        parts.append(f"{name}: {points(got)} < soglia {points(threshold)}")
    return "; ".join(parts) or "soglia non raggiunta"


def _others_table(
    rows: Sequence[ViewRow],
    bando: Bando,
    excluded: bool,
    reasons: Mapping[str, str] | None = None,
) -> Flowable:
    head = [
        "Protocollo",
        "Proponente (codice fiscale)",
        "Titolo del progetto",
        "Punti grezzi" if not excluded else "Esito",
        "Motivo",
    ]
    data: list[Sequence[Cell] | Banner] = []
    for r in rows:
        if excluded:
            marks: Cell = RankingStatus.EXCLUDED.label
            why = (reasons or {}).get(r.protocol, "motivi formali (vedi i verbali di ammissibilità)")
        else:
            crit = " · ".join(f"{c.code} {points(r.criteria_final.get(c.code))}" for c in bando.criteria)
            marks = [(crit, TEXT), (f"totale {points(r.total_final)}", BOLD)]
            why = _failures_text(r)
        protocol: Cell = [(r.protocol, TEXT), (f"lotto {r.lot}", GREY)] if r.lot else r.protocol
        data.append([protocol, _name_cell(r.applicant, r.tax_code), r.title, marks, why])
    widths = [24 * mm, 60 * mm, 0.0, 55 * mm, 60 * mm]
    widths[2] = LANDSCAPE_FRAME - sum(widths)
    return RowsTable(head, data, widths, [LEFT] * len(head))


def _parameters(view: RankingView, bando: Bando, styles: Styles, width: float) -> Flowable:
    p = view.parameters
    thresholds = p.get("thresholds", {})
    shown = []
    for code, value in thresholds.items():
        if value is not None:
            name = "totale" if code == TOTAL else f"criterio {code}"
            shown.append(f"{name} ≥ {points(Decimal(str(value)))}")
    chain = [
        ("data di invio (protocollo)" if c == "data_invio" else f"punteggio del criterio {c}")
        for c in p.get("tie_chain", [])
    ]
    pairs = [
        ("Metodo di valutazione", METHOD_LABELS.get(str(p.get("method")), str(p.get("method", "")))),
        (
            "Punteggi massimi",
            ", ".join(f"{k} {points(Decimal(str(v)), 0)}" for k, v in p.get("maxima", {}).items()),
        ),
        ("Soglie di sbarramento", "; ".join(shown) or "nessuna"),
        (
            "Soglie verificate su",
            str(p.get("thresholds_on", "punteggi grezzi, prima della riparametrazione")),
        ),
        ("Riparametrazione", RESCALING_LABELS.get(str(p.get("rescaling")), str(p.get("rescaling", "")))),
        ("Arrotondamento", str(p.get("rounding", bando.rounding_description))),
        ("Spareggio (in ordine)", ", poi ".join(chain) + (", poi sorteggio pubblico" if chain else "")),
        (
            "Regola di finanziamento",
            FUNDING_LABELS.get(str(p.get("funding_rule")), str(p.get("funding_rule"))),
        ),
        ("Contributo massimo per progetto", euro(bando.cap_cents)),
        ("Quorum di valutatori", str(p.get("quorum", bando.quorum))),
        *lot_parameter_pairs(p),
    ]
    draws = p.get("draws") or []
    if draws:
        pairs.append(("Sorteggi applicati", "; ".join(f"{', '.join(g)} → {' > '.join(o)}" for g, o in draws)))
    pairs.append(("Impronta SHA-256", view.fingerprint))
    return key_value_table(pairs, width, styles)


def build_graduatoria_pdf(view: RankingView, bando: Bando, exclusion_reasons: Mapping[str, str] | None = None) -> bytes:
    """The internal ranking: all criteria, raw and final points, funding line, totals, parameters.

    ``exclusion_reasons`` maps a protocol to the admissibility decision's reason, when the caller has it.
    """
    page = DocumentPage(
        bando,
        title="Graduatoria (uso interno)",
        subject=f"Graduatoria {view.state_label}",
        fingerprint=view.fingerprint,
        landscape_pages=True,
    )
    s = page.styles
    width = page.frame_width
    story: list[Flowable] = _heading(view, bando, s, public=False)
    story.append(_totals(view, s, width * 0.8))
    ranked = [r for r in view.rows if r.position is not None]
    story.append(para("Graduatoria delle domande ammesse", s.h2))
    if view.lots:
        story.append(
            para("Il bando è diviso in lotti: una graduatoria per lotto, con la sua linea di finanziamento.", s.note)
        )
        story += lot_sections(view, s, width, lambda rows, line, text: _ranking_table(view, rows, bando, line, text))
        story += redistribution_summary(view, s, width)
    elif ranked:
        line = view.funding_line if 0 < view.funding_line < len(ranked) else None
        # The legend goes before the table: on a 50-page ranking nobody reads to the end to find it.
        story.append(
            para(
                "In grigio tra parentesi: punti grezzi, prima della riparametrazione (solo se diversi); "
                "▼ in rosso: soglia di sbarramento non raggiunta sui punti grezzi; «T1», «T2»… in rosso "
                "sotto la posizione: parità non risolta, serve il sorteggio pubblico.",
                s.note,
            )
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(_ranking_table(view, ranked, bando, line))
    else:
        story.append(para("Nessuna domanda ammessa in graduatoria.", s.body))
    below = [r for r in view.rows if r.status == RankingStatus.NOT_ADMITTED]
    if below:
        story += [
            para("Domande non ammesse: soglia di sbarramento non raggiunta", s.h2),
            _others_table(below, bando, excluded=False),
        ]
    unscored = [r for r in view.rows if r.status == RankingStatus.NOT_SCORED]
    if unscored:
        story += [
            para("Domande non ancora valutate (nessuna scheda inviata)", s.h2),
            _others_table(unscored, bando, excluded=False),
        ]
    excluded = [r for r in view.rows if r.status == RankingStatus.EXCLUDED]
    if excluded:
        story += [
            para("Domande escluse per motivi formali", s.h2),
            _others_table(excluded, bando, excluded=True, reasons=exclusion_reasons),
        ]
    story.append(KeepTogether([para("Parametri applicati", s.h2), _parameters(view, bando, s, width * 0.8)]))
    notes = list(view.reasons) + [w for w in view.warnings if w not in view.reasons]
    if notes:
        story.append(para("Avvertenze per la commissione", s.h2))
        shown = notes[:60]
        story += [para(f"• {w}", s.small) for w in shown]
        if len(notes) > len(shown):
            story.append(para(f"… e altre {len(notes) - len(shown)} avvertenze (vedi l'applicazione).", s.note))
    return page.build(story)


def _public_outcome(r: ViewRow) -> str:
    """The outcome as published; a row held back by the per-applicant limit says so, not «exhausted funds»."""
    if r.funding_note == "limite_richiedente" and not r.status.funded:
        return "Ammessa non finanziata (limite di domande finanziate per proponente)"
    return r.status.label + (f" ({note_label(r.funding_note)})" if r.funding_note else "")


def public_rows(
    view: RankingView, legal_forms: Mapping[str, str] | None = None, *, confirm_persons: bool = False
) -> list[dict[str, Any]]:
    """The published columns only (docs/regole.md § 15), shared by the PDF and the exports.

    Name and tax code only for applicants identified as organisations (``exports.publication``);
    ``legal_forms`` maps a protocol to the applicant's legal form, ``confirm_persons`` is the chair's
    express confirmation. Each row's ``identita`` tells what was withheld, for the document's note.
    """
    out = []
    rows = [(r.protocol, r.applicant, r.tax_code) for r in view.rows]
    for r, identity in zip(view.rows, identities(rows, legal_forms, confirmed=confirm_persons), strict=True):
        scored = r.status != RankingStatus.EXCLUDED
        out.append(
            {
                "identita": identity,
                "posizione": r.position,
                "denominazione": identity.name,
                "codice_fiscale": identity.tax_code,
                "titolo": r.title,
                "punteggio": r.total_final if scored else None,
                "contributo_cents": r.grant_cents,
                "esito": _public_outcome(r),
                **({"lotto": r.lot} if r.lot is not None else {}),
            }
        )
    return out


def build_graduatoria_pubblica_pdf(
    view: RankingView, bando: Bando, legal_forms: Mapping[str, str] | None = None, *, confirm_persons: bool = False
) -> bytes:
    """The public ranking for Amministrazione trasparente: no natural persons, no members' marks."""
    page = DocumentPage(
        bando,
        title="Graduatoria – versione pubblica",
        subject="Graduatoria per la pubblicazione",
        fingerprint=view.fingerprint,
    )
    s = page.styles
    story: list[Flowable] = _heading(view, bando, s, public=True)
    story.append(
        key_value_table(
            [
                ("Risorse disponibili", euro(view.budget_cents)),
                ("Contributi assegnati", euro(view.allocated_cents)),
                ("Risorse residue", euro(view.remaining_cents)),
            ],
            page.frame_width * 0.6,
            s,
        )
    )
    story.append(Spacer(1, 4 * mm))
    head = [
        "Pos.",
        "Denominazione dell'ente",
        "Codice fiscale",
        "Titolo del progetto",
        "Punti",
        "Contributo",
        "Esito",
    ]
    published = public_rows(view, legal_forms, confirm_persons=confirm_persons)
    data: list[Sequence[Cell] | Banner] = [
        [
            str(r["posizione"] or "–"),
            r["denominazione"],
            r["codice_fiscale"],
            r["titolo"],
            points(r["punteggio"]),
            euro(r["contributo_cents"]) if r["contributo_cents"] else "–",
            r["esito"],
        ]
        for r in published
    ]
    widths = [8 * mm, 38 * mm, 20 * mm, 0.0, 16 * mm, 21 * mm, 25 * mm]
    aligns = [LEFT, LEFT, LEFT, LEFT, RIGHT, RIGHT, LEFT]
    if view.lots:  # positions are per lot: the lot goes before them
        head.insert(0, "Lotto")
        data = [[r.get("lotto") or "–", *row] for r, row in zip(published, data, strict=True)]  # type: ignore[misc]
        widths.insert(0, 12 * mm)
        aligns.insert(0, LEFT)
    free = widths.index(0.0)
    widths[free] = page.frame_width - sum(widths)
    story.append(RowsTable(head, data, widths, aligns))
    if view.redistribution is not None:
        story.append(Spacer(1, 2 * mm))
        story.append(
            para(
                "Risorse non usate dai lotti: "
                + euro(view.redistribution.pool_cents)
                + ", ridistribuite "
                + euro(view.redistribution.redistributed_cents)
                + " ("
                + residual_label(view.redistribution.rule)
                + ").",
                s.note,
            )
        )
    story.append(Spacer(1, 3 * mm))
    story += [para(note, s.note) for note in PublicationCount.of([r["identita"] for r in published]).notes()]
    story.append(
        para(
            "Punteggio su " + points(bando.max_total, 0) + " punti. Pubblicazione ai sensi della "
            "normativa sulla trasparenza: sono omessi i dati personali di persone fisiche e i "
            "giudizi dei singoli commissari. Impronta SHA-256 della graduatoria: " + view.fingerprint,
            s.note,
        )
    )
    return page.build(story)
