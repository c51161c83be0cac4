"""The minutes of a session (*verbale di seduta*), ready to sign on paper or digitally.

Each signer gets a block (role, name, a line) that works on paper, and, over the same block, an empty
PDF signature field named after them (``Presidente - Laura Fumagalli``), so that each can sign with a
qualified certificate in turn (PAdES, incremental updates). ReportLab lays the blocks out and records
where they landed; the fields are added afterwards with pyHanko through ``signing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from valutazione.ranking.status import RankingStatus
from valutazione.reports.items import item_flowables
from valutazione.reports.layout import (
    FONT,
    FONT_BOLD,
    DocumentPage,
    Styles,
    data_table,
    date_it,
    euro,
    key_value_table,
    para,
    points,
)
from valutazione.reports.lots_section import residual_label
from valutazione.reports.ranking_view import RankingView
from valutazione.reports.rows_table import LEFT, RIGHT, Banner, Cell, RowsTable, funding_banner
from valutazione.reports.verbale_data import MemberLine, VerbaleData, collect_verbale

BLOCK_W = 82 * mm
BLOCK_H = 26 * mm


class SignatureBlock(Flowable):  # type: ignore[misc]
    """Role, name and a line to sign on; remembers its page and box for the digital field."""

    def __init__(self, member: MemberLine, sink: list[tuple[str, int, tuple[float, float, float, float]]]):
        super().__init__()
        self.member = member
        self.sink = sink
        self.width = BLOCK_W
        self.height = BLOCK_H

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFont(FONT_BOLD, 9)
        c.drawString(0, self.height - 10, self.member.role_label)
        c.setFont(FONT, 9)
        c.drawString(0, self.height - 22, self.member.name)
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.6)
        c.line(0, 14, self.width, 14)
        c.setFont(FONT, 6.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(0, 5, "firma autografa o firma digitale (PAdES) nel riquadro")
        c.restoreState()
        x, y = c.absolutePosition(0, 0)
        self.sink.append((self.member.field_name, c.getPageNumber() - 1, (x, y, x + self.width, y + self.height)))


def _heading(data: VerbaleData, s: Styles, width: float) -> list[Flowable]:
    b = data.bando
    when = f"{date_it(data.day)}"
    times = " – ".join(t for t in (data.start_time, data.end_time) if t)
    place = "in modalità telematica (a distanza)" if data.remote else (data.place or "luogo non indicato")
    if data.remote and data.place:
        place += f"; sede di riferimento: {data.place}"
    act = data.appointment_act or "atto di nomina non registrato"
    if data.appointment_date:
        act += f" del {date_it(data.appointment_date)}"
    story: list[Flowable] = [
        para(f"Verbale della seduta n. {data.number} della Commissione di valutazione", s.title),
        para(f"{b.authority} – {b.programme} – {b.action} – progetto {b.code}\n{b.title}", s.subtitle),
    ]
    pairs = [
        ("Data", when),
        ("Orario", times or "non indicato"),
        ("Luogo", place),
        ("Atto di nomina della commissione", act),
        ("Responsabile unico del procedimento", b.rup or "–"),
    ]
    story.append(key_value_table(pairs, width, s))
    return story


def _attendance(data: VerbaleData, s: Styles, width: float) -> list[Flowable]:
    rows: list[list[Any]] = [[para(h, s.cell_head) for h in ("Nome", "Ruolo", "Presenza", "Dichiarazione generale")]]
    for m in data.members:
        presence = {True: "presente", False: "assente", None: "non registrata"}[m.present]
        declared = f"resa il {m.declared_on}" if m.declared_on else "non ancora resa"
        rows.append([para(m.name, s.cell), para(m.role_label, s.cell), para(presence, s.cell), para(declared, s.cell)])
    story: list[Flowable] = [para("Componenti della commissione", s.h2)]
    if len(rows) == 1:
        story.append(para("Nessun componente registrato.", s.body))
    else:
        story.append(data_table(rows, [width * 0.34, width * 0.24, width * 0.14, width * 0.28], zebra=False))
        story.append(Spacer(1, 2 * mm))
    secretary = data.secretary
    text = (
        f"Svolge le funzioni di segretario verbalizzante {secretary.name}, senza diritto di voto."
        if secretary
        else "Segretario verbalizzante non registrato."
    )
    present = [m for m in data.members if m.present and m.role != "segretario"]
    if present:
        valid = "la seduta è valida" if len(present) >= data.bando.quorum else "numero inferiore al quorum"
        text += f" Sono presenti {len(present)} commissari con diritto di voto ({valid})."
    story.append(para(text, s.body))
    return story


def _ranking(view: RankingView, data: VerbaleData, s: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        para(f"Graduatoria {view.state} approvata nella seduta – versione {view.version}", s.h3),
        para(
            f"Risorse {euro(view.budget_cents)}; assegnati {euro(view.allocated_cents)}; residuo "
            f"{euro(view.remaining_cents)}. Impronta SHA-256: {view.fingerprint}.",
            s.small,
        ),
    ]
    head = ["Pos.", "Protocollo", "Proponente", "Punti", "Contributo", "Esito"]
    rows: list[Sequence[Cell] | Banner] = []
    line = view.funding_line if 0 < view.funding_line < len(view.rows) else None
    lines = _lot_lines(view) if view.lots else {line - 1} if line is not None else set()
    if view.lots:
        head[0] = "Lotto, pos."
    for i, r in enumerate(view.rows):
        rows.append(
            [
                (f"{r.lot} · " if r.lot else "") + str(r.position or "–"),
                r.protocol,
                r.applicant,
                points(r.total_final) if r.status != RankingStatus.EXCLUDED else "–",
                euro(r.grant_cents) if r.grant_cents else "–",
                r.status.short,
            ]
        )
        if i in lines:
            rows.append(funding_banner("▲ LINEA DI FINANZIAMENTO" + (f" DEL LOTTO {r.lot}" if r.lot else "")))
    widths = [18 * mm if view.lots else 10 * mm, 24 * mm, 0.0, 16 * mm, 24 * mm, 28 * mm]
    widths[2] = width - sum(widths)
    story.append(RowsTable(head, rows, widths, [LEFT, LEFT, LEFT, RIGHT, RIGHT, LEFT]))
    story.append(para("La linea di finanziamento separa le domande finanziate dalle altre.", s.note))
    if view.redistribution is not None:
        moved = view.redistribution
        story.append(
            para(
                "Bando diviso in lotti, una graduatoria per lotto. "
                + "; ".join(
                    f"lotto {x.code}: assegnati {euro(x.allocated_cents)} su {euro(x.budget_cents)}" for x in view.lots
                )
                + f". Risorse non usate dai lotti {euro(moved.pool_cents)}, ridistribuite "
                + f"{euro(moved.redistributed_cents)} ({residual_label(moved.rule)}).",
                s.note,
            )
        )
    return story


def _lot_lines(view: RankingView) -> set[int]:
    """Per lot, the index of its last funded row when ranked rows of the lot follow it (its funding line)."""
    out: set[int] = set()
    for lot in view.lots:
        ranked = [i for i, r in enumerate(view.rows) if r.lot == lot.code and r.position is not None]
        funded = [i for i in ranked if view.rows[i].status.funded]
        if funded and funded[-1] != ranked[-1]:
            out.add(funded[-1])
    return out


def _signatures(data: VerbaleData, s: Styles, sink: list[Any]) -> list[Flowable]:
    signers = data.signers
    blocks: list[Flowable] = [SignatureBlock(m, sink) for m in signers]
    pairs = [blocks[i : i + 2] for i in range(0, len(blocks), 2)]
    grid = Table([p + [""] * (2 - len(p)) for p in pairs], colWidths=[BLOCK_W + 8 * mm] * 2, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    intro = para(
        f"Letto, confermato e sottoscritto. La seduta si chiude alle ore {data.end_time}."
        if data.end_time
        else "Letto, confermato e sottoscritto.",
        s.body,
    )
    return [CondPageBreak(BLOCK_H * 2 + 30 * mm), para("Firme", s.h2), intro, Spacer(1, 4 * mm), grid]


def render_verbale(data: VerbaleData) -> bytes:
    """The minutes as PDF bytes, with one empty signature field per signer over their block."""
    page = DocumentPage(
        data.bando,
        title=f"Verbale seduta n. {data.number}",
        subject=f"Verbale della seduta n. {data.number} del {date_it(data.day)}",
        fingerprint=data.fingerprint(),
    )
    s = page.styles
    width = page.frame_width
    story: list[Flowable] = _heading(data, s, width)
    story += _attendance(data, s, width)
    story.append(para("Ordine del giorno", s.h2))
    story.append(para(data.agenda or "Non indicato.", s.body))
    story.append(para("Dichiarazioni ricevute", s.h2))
    if data.declarations:
        for section in data.declarations:
            story.append(para(section.title, s.h3))
            story += item_flowables([f"• {item}" for item in section.items], s.small, width)
    else:
        story.append(para("Nessuna dichiarazione ricevuta nel corso della seduta.", s.body))
    story.append(para("Lavori della commissione e decisioni", s.h2))
    if data.decisions:
        for section in data.decisions:
            story.append(para(section.title, s.h3))
            story += item_flowables([f"• {item}" for item in section.items], s.small, width)
    else:
        story.append(para("Nessuna decisione registrata nel corso della seduta.", s.body))
    for view in data.rankings:
        story += _ranking(view, data, s, width)
    story.append(para("Regola di arrotondamento applicata", s.h2))
    story.append(para(data.bando.rounding_description[0].upper() + data.bando.rounding_description[1:] + ".", s.body))
    story.append(para("Note e correzioni", s.h2))
    story.append(para(data.notes or "Nessuna.", s.body))
    sink: list[tuple[str, int, tuple[float, float, float, float]]] = []
    story += _signatures(data, s, sink)
    return page.build(story, after_build=lambda pdf: _add_fields(pdf, sink))


def _add_fields(pdf: bytes, sink: list[tuple[str, int, tuple[float, float, float, float]]]) -> bytes:
    """Adds the signature fields in an incremental update, so the laid-out pages stay byte-identical."""
    if not sink:
        return pdf
    import os
    import tempfile

    from valutazione.signing import add_empty_signature_fields

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "verbale.pdf")
        add_empty_signature_fields(pdf, out, sink)
        with open(out, "rb") as fh:
            return fh.read()


def build_verbale_pdf(s: Session, number: int) -> bytes:
    """The minutes of session ``number`` straight from an open file (the GUI's and the CLI's entry point)."""
    return render_verbale(collect_verbale(s, number))
