"""Regenerates the demo attachments: one small real PDF per file named in ``domande-esempio.csv``.

The demo needs proposals a committee can open (title, applicant, a short abstract, the budget), not
placeholders. Output is deterministic (ReportLab's invariant mode), so running the script again gives
byte-identical files and git shows no change. Run: ``python resources/demo/make_allegati.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "domande-esempio.csv"
OUTPUT = HERE / "allegati"


def read_rows(path: Path = SOURCE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def abstract(row: dict[str, str]) -> str:
    title = row["Titolo progetto"]
    zone = row["Zona"] or "una zona bersaglio"
    return (
        f"{row['Abstract']} Il progetto «{title}» si svolge in {zone} e coinvolge residenti, scuole, "
        "associazioni e commercianti del quartiere nella progettazione e nella gestione del servizio. "
        "Nei primi mesi si costituisce un gruppo di lavoro aperto e si avvia una fase pilota; segue la "
        "messa a regime con un modello di ricavi misto (quote di servizio, sponsorizzazioni locali, "
        "volontariato), pensato per proseguire in autonomia dopo la fine del contributo. "
        "Particolare attenzione è rivolta alle persone più fragili: anziani soli, giovani che non "
        "studiano né lavorano, famiglie con background migratorio."
    )


def labelled(label: str, value: str) -> Paragraph:
    """One "label: value" line; values are escaped because ReportLab paragraphs are XML."""
    return Paragraph(f"<b>{label}:</b> {escape(value)}", getSampleStyleSheet()["Normal"])


def write_pdf(row: dict[str, str], target: Path) -> None:
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"Proposta progettuale {row['Protocollo']}",
        author=row["Denominazione"],
        subject="PON Metro 2014-2020 – MI3.3.1.e",
        creator="valutazione (dati dimostrativi)",
    )
    budget = Table(
        [
            ["Voce", "Importo (€)"],
            ["Costo totale del progetto", row["Costo totale"]],
            ["Contributo richiesto", row["Contributo richiesto"] or "—"],
            ["Cofinanziamento", row["Cofinanziamento"]],
        ],
        colWidths=[9 * cm, 5 * cm],
    )
    budget.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    story = [
        Paragraph("Comune di Milano – PON Metro 2014-2020 – Progetto MI3.3.1.e", styles["Normal"]),
        Paragraph("Proposta progettuale (dati dimostrativi)", styles["Heading3"]),
        Spacer(1, 0.3 * cm),
        Paragraph(escape(row["Titolo progetto"]), styles["Title"]),
        labelled("Soggetto proponente", f"{row['Denominazione']} ({row['Forma giuridica']})"),
        labelled("Codice fiscale", row["Codice fiscale"]),
        labelled("Legale rappresentante", row["Legale rappresentante"]),
        labelled("Protocollo", f"{row['Protocollo']} del {row['Data invio']}"),
        labelled("Zona bersaglio", row["Zona"]),
        labelled("Durata", f"{row['Durata mesi']} mesi"),
        Spacer(1, 0.4 * cm),
        Paragraph("Sintesi del progetto", styles["Heading2"]),
        Paragraph(escape(abstract(row)), styles["BodyText"]),
        Spacer(1, 0.4 * cm),
        Paragraph("Piano economico", styles["Heading2"]),
        budget,
        Spacer(1, 1.2 * cm),
        Paragraph(escape(f"Il legale rappresentante, {row['Legale rappresentante']}"), styles["Normal"]),
    ]
    doc.build(story)


def main() -> None:
    rl_config.invariant = 1
    OUTPUT.mkdir(exist_ok=True)
    done: set[str] = set()
    for row in read_rows():
        for name in row["Allegati"].replace(";", "|").split("|"):
            name = name.strip()
            if name and name not in done:
                write_pdf(row, OUTPUT / name)
                done.add(name)
    size = sum(p.stat().st_size for p in OUTPUT.glob("*.pdf"))
    print(f"{len(done)} allegati in {OUTPUT} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
