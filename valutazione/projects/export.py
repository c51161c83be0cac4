"""The monitoring export: one row per funded project, for the city's monitoring systems (CSV or XLSX).

The same frozen record as the «Stato di avanzamento» report, so the two never disagree. Programmato is a
figure of the call, not of a project: it appears on the closing «Totale» row only. Written through
``exports.writers``, which neutralises text that a spreadsheet would read as a formula.
"""

from __future__ import annotations

from datetime import date

from valutazione.exports.tables import Cell, Sheet, money
from valutazione.projects.report_data import ProgressData

BASE_HEADER = (
    "Protocollo",
    "Beneficiario",
    "Titolo progetto",
    "Zona",
    "Stato",
    "Programmato",
    "Ammesso a finanziamento",
    "Giuridicamente vincolante",
    "Erogato",
    "Data convenzione",
    "Inizio progetto",
    "Fine progetto",
    "CUP",
    "Ore affiancamento piano",
    "Ore affiancamento svolte",
    "Ore dovute alla data",
    "Affiancamento in ritardo",
)


def _day(value: date | None) -> str | None:
    return None if value is None else value.strftime("%d/%m/%Y")


def monitoring_sheet(data: ProgressData) -> Sheet:
    codes = [x.code for x in data.call_indicators]
    header = (*BASE_HEADER, *(f"{c} {part}" for c in codes for part in ("partenza", "obiettivo", "attuale")))
    rows: list[tuple[Cell, ...]] = []
    for line, d in zip(data.summary.lines, data.details, strict=True):
        st = d.support
        f = line.figures
        indicators = {x.code: x for x in d.indicators}
        values: list[Cell] = []
        for code in codes:
            x = indicators.get(code)
            values += [x.baseline, x.target, x.current] if x else [None, None, None]
        rows.append(
            (
                line.protocol,
                line.applicant,
                line.title,
                line.zone,
                line.state,
                None,
                money(f.ammesso_cents),
                money(f.vincolante_cents),
                money(f.erogato_cents),
                _day(line.signed_on),
                _day(line.start_on),
                _day(line.end_on),
                line.cup or None,
                st.planned if st else None,
                st.used if st else None,
                st.due if st else None,
                ("sì" if line.behind else "no") if st and st.phases else None,
                *values,
            )
        )
    sm = data.summary
    total: list[Cell] = ["Totale", None, None, None, None, money(sm.programmato_cents)]
    total += [money(sm.ammesso_cents), money(sm.vincolante_cents), money(sm.erogato_cents)]
    total += [None] * (len(header) - len(total))
    rows.append(tuple(total))
    meta = {"situazione_al": data.today.isoformat(), "versione_graduatoria": sm.ranking_version}
    return Sheet("Monitoraggio", tuple(header), tuple(rows), meta)
