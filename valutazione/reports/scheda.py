"""The evaluation sheet of an application (*scheda di valutazione*): every member's marks and reasons.

It shows how the collegial points came about: each member's coefficient and written justification per
sub-criterion, the mean and the points (computed by ``scoring``, the same code as the ranking), the
criterion totals and whether each threshold was met. A member in conflict of interest is shown as
«astenuto», never as a zero: the mean uses only those who scored. Only submitted sheets count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from valutazione.bando import Bando, bando_from_json
from valutazione.errors import NotFoundError
from valutazione.models import Ammissibilita, BandoRow, Commissario, Conflitto, Domanda, Scheda
from valutazione.reports.layout import (
    DocumentPage,
    Styles,
    cell_para,
    data_table,
    escape,
    euro,
    fingerprint_of,
    key_value_table,
    para,
    points,
)
from valutazione.scoring import format_it, score_subcriterion

SCORING_ROLES = ("presidente", "componente")
ABSTAINED = "astenuto"


@dataclass(frozen=True)
class MemberMarks:
    name: str
    abstained: bool
    submitted: bool
    marks: tuple[tuple[str, Decimal | None, str], ...]  # (sub_code, value, motivazione)

    def mark(self, code: str) -> tuple[Decimal | None, str]:
        for c, v, text in self.marks:
            if c == code:
                return v, text
        return None, ""


@dataclass(frozen=True)
class SchedaData:
    protocol: str
    applicant: str
    tax_code: str
    title: str
    zone: str
    requested_cents: int
    admissibility: str
    members: tuple[MemberMarks, ...]


def collect_scheda(s: Session, protocols: Iterable[str] | None = None) -> list[SchedaData]:
    """The sheets of the given applications (all, in protocol order, when None)."""
    query = select(Domanda).order_by(Domanda.protocol)
    wanted = None if protocols is None else list(protocols)
    if wanted is not None:
        query = query.where(Domanda.protocol.in_(wanted))
    domande = list(s.scalars(query))
    if wanted is not None:
        missing = sorted(set(wanted) - {d.protocol for d in domande})
        if missing:
            raise NotFoundError(f"Domande non trovate: {', '.join(missing)}.")
    members = sorted(s.scalars(select(Commissario).where(Commissario.role.in_(SCORING_ROLES))), key=_role_key)
    conflicts = {(c.commissario_id, c.domanda_id) for c in s.scalars(select(Conflitto)) if c.has_conflict}
    outcomes = {a.domanda_id: a.outcome for a in s.scalars(select(Ammissibilita))}
    sheets = {
        (sh.commissario_id, sh.domanda_id): sh for sh in s.scalars(select(Scheda).options(selectinload(Scheda.voti)))
    }
    out = []
    for d in domande:
        marks = []
        for m in members:
            sheet = sheets.get((m.id, d.id))
            submitted = sheet is not None and sheet.state == "inviata"
            values = tuple((v.sub_code, v.value, v.motivazione) for v in sheet.voti) if sheet and submitted else ()
            marks.append(MemberMarks(m.name, (m.id, d.id) in conflicts, submitted, values))
        out.append(
            SchedaData(
                d.protocol,
                d.applicant,
                d.tax_code,
                d.title,
                d.zone_text,
                d.grant_cents,
                outcomes.get(d.id, "da decidere"),
                tuple(marks),
            )
        )
    return out


def _role_key(m: Commissario) -> tuple[int, str]:
    return (0 if m.role == "presidente" else 1, m.name)


def _cell(member: MemberMarks, code: str, bando: Bando) -> str:
    if member.abstained:
        return ABSTAINED
    if not member.submitted:
        return "non inviata"
    value, _ = member.mark(code)
    if value is None:
        return "–"
    label = bando.scale_label(value) if bando.method == "coefficienti" else None
    return f"{format_it(value)}<br/><font size=6>{escape(label)}</font>" if label else format_it(value)


def _one(data: SchedaData, bando: Bando, s: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        para(f"Scheda di valutazione – domanda {data.protocol}", s.title),
        key_value_table(
            [
                ("Proponente", f"{data.applicant} (C.F. {data.tax_code})"),
                ("Titolo del progetto", data.title),
                ("Zona", data.zone or "–"),
                ("Contributo richiesto", euro(data.requested_cents)),
                ("Ammissibilità formale", data.admissibility.replace("_", " ")),
            ],
            width,
            s,
        ),
    ]
    scorers = [m for m in data.members if m.submitted and not m.abstained]
    head = ["Sottocriterio", "Max", *[m.name for m in data.members], "Media", "Punti"]
    member_w = min(24 * mm, (width - 92 * mm) / max(1, len(data.members)))
    widths = [0.0, 10 * mm, *[member_w] * len(data.members), 16 * mm, 14 * mm]
    widths[0] = width - sum(widths)
    rows: list[list[Any]] = [[cell_para(h, s.tiny_head, w - 5, 4) for h, w in zip(head, widths, strict=True)]]
    extra: list[tuple[Any, ...]] = []
    total = Decimal(0)
    verdicts = []
    for criterion in bando.criteria:
        crit_points = Decimal(0)
        for sub in criterion.subcriteria:
            cells = [Paragraph(_cell(m, sub.code, bando), s.tiny_right) for m in data.members]
            if criterion.pairwise is not None:
                mean_text, pts = "confronto a coppie", None
            else:
                marks = {m.name: v for m in scorers if (v := m.mark(sub.code)[0]) is not None}
                score = score_subcriterion(bando, sub.code, marks)
                mean_text, pts = (format_it(score.mean) if marks else "–"), score.points
                crit_points += score.points
            rows.append(
                [
                    Paragraph(f"<b>{sub.code}</b> {escape(sub.description)}", s.tiny),
                    Paragraph(points(sub.maximum, 0), s.tiny_right),
                    *cells,
                    Paragraph(mean_text, s.tiny_right),
                    Paragraph(points(pts), s.tiny_right),
                ]
            )
        total += crit_points
        met = criterion.threshold is None or crit_points >= criterion.threshold
        verdicts.append((criterion.code, criterion.name, crit_points, criterion.threshold, met))
        label = f"<b>Criterio {criterion.code} – {escape(criterion.name)}</b>"
        if criterion.threshold is not None:
            label += f" (soglia {points(criterion.threshold)}: {'raggiunta' if met else 'NON raggiunta'})"
        rows.append(
            [Paragraph(label, s.tiny)]
            + [""] * (len(head) - 2)
            + [Paragraph(f"<b>{points(crit_points)}</b>", s.tiny_right)]
        )
        n = len(rows) - 1
        extra += [("SPAN", (0, n), (-2, n)), ("BACKGROUND", (0, n), (-1, n), colors.HexColor("#e9eef5"))]
        if not met:
            extra.append(("TEXTCOLOR", (0, n), (-1, n), colors.HexColor("#b3261e")))
    story += [para("Punteggi per sottocriterio", s.h2), data_table(rows, widths, extra=extra, zebra=False)]
    total_ok = bando.total_threshold is None or total >= bando.total_threshold
    summary = [
        (
            f"Criterio {c} – {n}",
            f"{points(p)}"
            + (f" (soglia {points(t)}: {'raggiunta' if ok else 'NON raggiunta'})" if t is not None else ""),
        )
        for c, n, p, t, ok in verdicts
    ]
    summary.append(
        (
            "Totale",
            f"{points(total)} su {points(bando.max_total, 0)}"
            + (
                f" (soglia {points(bando.total_threshold)}: {'raggiunta' if total_ok else 'NON raggiunta'})"
                if bando.total_threshold is not None
                else ""
            ),
        )
    )
    summary.append(("Valutatori", f"{len(scorers)} (quorum {bando.quorum})"))
    story += [
        para("Esito della valutazione (punti grezzi, prima di un'eventuale riparametrazione)", s.h2),
        key_value_table(summary, width, s, label_share=0.45),
    ]
    story.append(para("Motivazioni dei commissari", s.h2))
    for m in data.members:
        story.append(para(m.name, s.h3))
        if m.abstained:
            story.append(para("Astenuto per conflitto di interessi: non ha visto né valutato la domanda.", s.small))
            continue
        if not m.submitted:
            story.append(para("Scheda non ancora inviata.", s.small))
            continue
        for sub in bando.subcriteria:
            value, text = m.mark(sub.code)
            shown = format_it(value) if value is not None else "–"
            story.append(para(f"{sub.code} ({shown}): {text or 'nessuna motivazione'}", s.small))
    return story


def sheets_content(schede: Sequence[SchedaData]) -> list[Any]:
    """What the sheets' PDF shows, as hashed for its fingerprint (also re-hashed by ``seals.anchors``)."""
    return [
        [
            d.protocol,
            d.admissibility,
            [(m.name, m.abstained, m.submitted, [(c, str(v), t) for c, v, t in m.marks]) for m in d.members],
        ]
        for d in schede
    ]


def render_schede(schede: Sequence[SchedaData], bando: Bando) -> bytes:
    """One PDF with a sheet per application, each starting on a new page."""
    content = sheets_content(schede)
    page = DocumentPage(
        bando,
        title="Schede di valutazione",
        subject="Schede di valutazione di merito",
        fingerprint=fingerprint_of(content),
    )
    story: list[Flowable] = []
    for i, data in enumerate(schede):
        if i:
            story.append(PageBreak())
        story += _one(data, bando, page.styles, page.frame_width)
    if not story:
        story.append(para("Nessuna domanda.", page.styles.body))
    return page.build(story)


def build_schede_pdf(s: Session, protocols: Iterable[str] | None = None) -> bytes:
    """The sheets of the given applications (all when None) from an open file."""
    bando = bando_from_json(s.scalars(select(BandoRow)).one().rules_json)
    return render_schede(collect_scheda(s, protocols), bando)
