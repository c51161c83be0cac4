"""What the Documenti dialogs can offer and how one document is built: plain core calls, no widgets.

``export()`` in the core chooses the latest approved ranking by itself; the dialog also offers the
ranking computed now (marked «non approvata») even when approved versions exist, so that case is built
here from the same core pieces. A scoring member gets only what the core lets them see: the sheets of
the applications on which ``other_sheets_visible`` is true; with none, the core's own refusal is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from ui.user import User
from valutazione.errors import ValutazioneError
from valutazione.exports.documents import exclusion_reasons, export, legal_forms
from valutazione.exports.tables import Sheet, parameters_sheet, public_sheet, ranking_sheet
from valutazione.exports.writers import csv_bytes, json_bytes, xlsx_bytes
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf
from valutazione.reports.ranking_view import RankingView, from_ranking
from valutazione.services import Session, lookup, sheets
from valutazione.services import ranking as ranking_service
from valutazione.services import sedute as sedute_service

ROME = ZoneInfo("Europe/Rome")
CURRENT = 0  # the "version" of the ranking computed now, not approved
RANKINGS = ("graduatoria", "graduatoria-pubblica")
ALL_FORMATS = ("pdf", "csv", "xlsx", "json")
FORMATS = {"graduatoria": ALL_FORMATS, "graduatoria-pubblica": ALL_FORMATS, "schede": ALL_FORMATS, "verbale": ("pdf",)}
FORMATS["avanzamento"] = ("pdf", "csv", "xlsx")  # the funded projects: report or monitoring table
FORMAT_LABELS = {"pdf": "PDF", "csv": "CSV (Excel, separatore ;)", "xlsx": "Excel (XLSX)", "json": "JSON"}
FILE_FILTERS = {
    "pdf": "Documenti PDF (*.pdf)",
    "csv": "File CSV (*.csv)",
    "xlsx": "Cartelle di Excel (*.xlsx)",
    "json": "File JSON (*.json)",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("documents", text)


def document_labels() -> list[tuple[str, str]]:
    return [
        ("graduatoria", tr("Graduatoria interna")),
        ("graduatoria-pubblica", tr("Graduatoria pubblica (Amministrazione trasparente)")),
        ("schede", tr("Schede di valutazione")),
        ("verbale", tr("Verbale di seduta")),
        ("avanzamento", tr("Stato di avanzamento dei progetti finanziati")),
    ]


@dataclass(frozen=True)
class VersionInfo:
    version: int  # CURRENT for the computed ranking
    state: str
    label: str


@dataclass(frozen=True)
class SedutaInfo:
    number: int
    label: str


@dataclass(frozen=True)
class Choice:
    """One document as the user chose it in the dialog."""

    what: str
    fmt: str
    version: int | None = None
    seduta: int | None = None
    state: str = ""


def versions(s: Session, user: User) -> list[VersionInfo]:
    """Approved versions, latest first, then the computed one (for the chair and secretary only)."""
    out = [
        VersionInfo(
            r.version,
            r.state,
            tr("Versione {v} – {state}, approvata il {day}").format(
                v=r.version, state=r.state, day=_local(r.approved_at).strftime("%d/%m/%Y")
            ),
        )
        for r in reversed(ranking_service.versions(s))
    ]
    if user.is_chair or user.is_secretary:
        out.append(VersionInfo(CURRENT, "non-approvata", tr("Calcolata ora (non approvata)")))
    return out


def sedute(s: Session) -> list[SedutaInfo]:
    return [
        SedutaInfo(r.number, tr("Seduta n. {n} del {day}").format(n=r.number, day=r.day.strftime("%d/%m/%Y")))
        for r in sedute_service.list_sedute(s, newest_first=True)
    ]


def _local(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(ROME)


def default_name(choice: Choice) -> str:
    """``graduatoria-v2-definitiva.pdf``, ``verbale-seduta-1.pdf``: the file says what it holds."""
    if choice.what == "verbale":
        stem = f"verbale-seduta-{choice.seduta}"
    elif choice.what in RANKINGS:
        version = "non-approvata" if not choice.version else f"v{choice.version}-{choice.state}"
        stem = f"{choice.what}-{version}"
    elif choice.what == "avanzamento":
        stem = "stato-di-avanzamento" if choice.fmt == "pdf" else "monitoraggio-progetti"
    else:
        stem = "schede-di-valutazione"
    return f"{stem}.{choice.fmt}"


def visible_protocols(s: Session, user: User) -> list[str] | None:
    """The applications whose sheets ``user`` may see (``None``: all of them, for chair and secretary).

    Raises the core's own refusal when a member may see none yet.
    """
    if user.is_chair or user.is_secretary:
        return None
    return sheets.visible_protocols(s, user.id)


def _current_ranking(s: Session, what: str, fmt: str) -> bytes:
    """The ranking computed now, as ``export`` builds it when nothing is approved yet."""
    bando = lookup.rules(s)
    computed = ranking_service.compute(s)
    view = from_ranking(computed.ranking)
    view = RankingView(**{**view.__dict__, "reasons": computed.reasons})
    if what == "graduatoria":
        if fmt == "pdf":
            return build_graduatoria_pdf(view, bando, exclusion_reasons(s))
        tables = [ranking_sheet(view, bando), parameters_sheet(view)]
    else:
        if fmt == "pdf":
            return build_graduatoria_pubblica_pdf(view, bando, legal_forms(s))
        tables = [public_sheet(view, legal_forms(s))]
    return _tabular(tables, fmt)


def _tabular(tables: Sequence[Sheet], fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(tables[0])
    if fmt == "xlsx":
        return xlsx_bytes(tables)
    return json_bytes(tables)


def build(s: Session, choice: Choice, user: User) -> bytes:
    """The document's bytes; every refusal is the core's Italian ``ValutazioneError``."""
    if choice.what in RANKINGS:
        if choice.version is None:
            raise ValutazioneError(tr("Nessuna graduatoria approvata da esportare."))
        if choice.version == CURRENT:
            if not (user.is_chair or user.is_secretary):
                raise ValutazioneError(tr("La graduatoria non approvata è riservata a presidente e segretario."))
            return _current_ranking(s, choice.what, choice.fmt)
        return export(s, choice.what, choice.fmt, version=choice.version)
    if choice.what == "schede":
        return export(s, "schede", choice.fmt, protocols=visible_protocols(s, user))
    if choice.what == "avanzamento":
        return export(s, "avanzamento", choice.fmt)
    if choice.seduta is None:
        raise ValutazioneError(tr("Nessuna seduta registrata: il verbale non si può ancora produrre."))
    return export(s, "verbale", "pdf", seduta=choice.seduta)
