"""One entry point for every document and export, for the CLI and the GUI alike.

``export(session, what, fmt, ...)`` returns the bytes; the caller writes them (``write_atomically``)
from a worker thread if it is the GUI. Which ranking: the version asked for, else the latest approved
one (printed exactly as stored), else the ranking computed now, marked «non approvata».
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit, collector
from valutazione.bando import Bando, bando_from_json
from valutazione.errors import NotFoundError, ValutazioneError
from valutazione.exports.publication import PublicationCount
from valutazione.exports.tables import (
    Sheet,
    collegial_sheet,
    marks_sheet,
    parameters_sheet,
    public_sheet,
    ranking_sheet,
)
from valutazione.exports.writers import csv_bytes, json_bytes, xlsx_bytes
from valutazione.models import Ammissibilita, BandoRow, Domanda, GraduatoriaVersion
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf, public_rows
from valutazione.reports.ranking_view import RankingView, from_ranking, from_version
from valutazione.reports.scheda import collect_scheda, render_schede
from valutazione.reports.verbale import build_verbale_pdf

WHATS = ("graduatoria", "graduatoria-pubblica", "schede", "verbale", "avanzamento")
FORMATS = ("pdf", "csv", "xlsx", "json")


def _bando(s: Session) -> Bando:
    return bando_from_json(s.scalars(select(BandoRow)).one().rules_json)


def load_ranking(s: Session, version: int | None = None) -> RankingView:
    """The version asked for, else the latest approved one, else the current computation (not approved)."""
    bando = _bando(s)
    query = select(GraduatoriaVersion)
    if version is not None:
        row = s.scalars(query.where(GraduatoriaVersion.version == version)).first()
        if row is None:
            raise NotFoundError(f"Nessuna versione {version} della graduatoria.")
        return from_version(row, bando)
    row = s.scalars(query.order_by(GraduatoriaVersion.version.desc()).limit(1)).first()
    if row is not None:
        return from_version(row, bando)
    from valutazione.services import ranking as ranking_service

    computed = ranking_service.compute(s)
    view = from_ranking(computed.ranking)
    return RankingView(**{**view.__dict__, "reasons": computed.reasons})


def _lot_extract(view: RankingView, lot: str) -> RankingView:
    try:
        return view.for_lot(lot)
    except KeyError:
        known = ", ".join(x.code for x in view.lots)
        where = f"lotti della graduatoria: {known}" if known else "la graduatoria non è divisa in lotti"
        raise ValutazioneError(f"Lotto «{lot}» non previsto ({where}).") from None


def exclusion_reasons(s: Session) -> dict[str, str]:
    """Protocol → the admissibility decision's reason, for the excluded applications."""
    query = select(Domanda.protocol, Ammissibilita.reason).join(Ammissibilita, Ammissibilita.domanda_id == Domanda.id)
    query = query.where(Ammissibilita.outcome != "ammissibile")
    return {protocol: reason for protocol, reason in s.execute(query)}


def legal_forms(s: Session) -> dict[str, str]:
    """Protocol → the applicant's legal form, which the public ranking needs to recognise organisations."""
    return {protocol: form or "" for protocol, form in s.execute(select(Domanda.protocol, Domanda.legal_form))}


def public_count(s: Session, version: int | None = None, *, confirm_persons: bool = False) -> PublicationCount:
    """How many rows the public ranking of ``version`` withholds or publishes on confirmation."""
    rows = public_rows(load_ranking(s, version), legal_forms(s), confirm_persons=confirm_persons)
    return PublicationCount.of([r["identita"] for r in rows])


def record_publication_confirmed(s: Session, actor: str, version: int | None, fmt: str) -> PublicationCount:
    """Logs the chair's express confirmation to publish rows not identified as organisations.

    The confirmation is a decision about personal data: it goes into the audit log with the count,
    in the caller's transaction, before the document is written.
    """
    count = public_count(s, version, confirm_persons=True)
    audit.record(
        s,
        actor,
        "graduatoria_pubblica.persone_confermate",
        "graduatoria",
        version,
        after={"righe": count.rows, "pubblicate_su_conferma": count.confirmed, "formato": fmt},
    )
    return count


def _tabular(sheets: list[Sheet], fmt: str) -> bytes:
    if fmt == "xlsx":
        return xlsx_bytes(sheets)
    if fmt == "json":
        return json_bytes(sheets)
    if fmt == "csv":
        return csv_bytes(sheets[0])
    raise ValutazioneError(f"Formato «{fmt}» non disponibile per questo documento.")


def export(
    s: Session,
    what: str,
    fmt: str,
    *,
    version: int | None = None,
    seduta: int | None = None,
    protocols: Iterable[str] | None = None,
    confirm_persons: bool = False,
    lot: str | None = None,
) -> bytes:
    """The bytes of one document or export; ``what`` in ``WHATS``, ``fmt`` in ``FORMATS``; ``lot`` limits a
    ranking (internal or public) to that lot of a call divided into lots.

    ``confirm_persons`` publishes, in the public ranking, rows not identified as organisations: the
    caller records the chair's confirmation first (:func:`record_publication_confirmed`). Nothing leaves a
    file whose seals are broken, and every page carries the log's anchor.
    """
    from valutazione import seals
    from valutazione.reports.layout import anchored
    from valutazione.seals.anchors import current_anchor

    seals.require_intact(s)
    with anchored(current_anchor(s).line), collector.paused():  # a quarter of a long document's time
        return _document(
            s,
            what,
            fmt,
            version=version,
            seduta=seduta,
            protocols=protocols,
            confirm_persons=confirm_persons,
            lot=lot,
        )


def _document(
    s: Session,
    what: str,
    fmt: str,
    *,
    version: int | None,
    seduta: int | None,
    protocols: Iterable[str] | None,
    confirm_persons: bool,
    lot: str | None = None,
) -> bytes:
    if lot is not None and not what.startswith("graduatoria"):
        raise ValutazioneError("Il lotto (--lotto) vale solo per la graduatoria e la graduatoria pubblica.")
    if what not in WHATS:
        raise ValutazioneError(f"Documento «{what}» sconosciuto: scegliere tra {', '.join(WHATS)}.")
    if fmt not in FORMATS:
        raise ValutazioneError(f"Formato «{fmt}» sconosciuto: scegliere tra {', '.join(FORMATS)}.")
    if what == "verbale":
        if seduta is None:
            raise ValutazioneError("Indicare il numero della seduta (--seduta N) per il verbale.")
        if fmt != "pdf":
            raise ValutazioneError("Il verbale si esporta solo in PDF.")
        return build_verbale_pdf(s, seduta)
    if what == "avanzamento":  # the funded projects' progress: PDF report, or one row per project
        from valutazione.projects.export import monitoring_sheet
        from valutazione.projects.report_data import collect_progress
        from valutazione.reports.avanzamento import render_avanzamento

        data = collect_progress(s)
        return render_avanzamento(data) if fmt == "pdf" else _tabular([monitoring_sheet(data)], fmt)
    bando = _bando(s)
    if what == "schede":
        schede = collect_scheda(s, protocols)
        if fmt == "pdf":
            return render_schede(schede, bando)
        return _tabular([marks_sheet(schede), collegial_sheet(schede, bando)], fmt)
    view = load_ranking(s, version)
    if lot is not None:
        view = _lot_extract(view, lot)
    if what == "graduatoria":
        if fmt == "pdf":
            return build_graduatoria_pdf(view, bando, exclusion_reasons(s))
        return _tabular([ranking_sheet(view, bando), parameters_sheet(view)], fmt)
    forms = legal_forms(s)
    if fmt == "pdf":
        return build_graduatoria_pubblica_pdf(view, bando, forms, confirm_persons=confirm_persons)
    return _tabular([public_sheet(view, forms, confirm_persons=confirm_persons)], fmt)
