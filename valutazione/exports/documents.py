"""One entry point for every document and export, for the CLI and the GUI alike.

``export(session, what, fmt, ...)`` returns the bytes; the caller writes them (``write_atomically``)
from a worker thread if it is the GUI. Which ranking: the version asked for, else the latest approved
one (printed exactly as stored), else the ranking computed now, marked «non approvata».
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.bando import Bando, bando_from_json
from valutazione.errors import NotFoundError, ValutazioneError
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
from valutazione.reports.graduatoria import build_graduatoria_pdf, build_graduatoria_pubblica_pdf
from valutazione.reports.ranking_view import RankingView, from_graduatoria, from_version
from valutazione.reports.scheda import collect_scheda, render_schede
from valutazione.reports.verbale import build_verbale_pdf

WHATS = ("graduatoria", "graduatoria-pubblica", "schede", "verbale")
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
    from valutazione.services import graduatoria as graduatoria_service

    computed = graduatoria_service.compute(s)
    view = from_graduatoria(computed.graduatoria)
    return RankingView(**{**view.__dict__, "reasons": computed.reasons})


def exclusion_reasons(s: Session) -> dict[str, str]:
    """Protocol → the admissibility decision's reason, for the excluded applications."""
    query = select(Domanda.protocol, Ammissibilita.reason).join(Ammissibilita, Ammissibilita.domanda_id == Domanda.id)
    query = query.where(Ammissibilita.outcome != "ammissibile")
    return {protocol: reason for protocol, reason in s.execute(query)}


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
) -> bytes:
    """The bytes of one document or export; ``what`` in ``WHATS``, ``fmt`` in ``FORMATS``.

    Nothing leaves a file whose seals are broken, and every page carries the log's anchor.
    """
    from valutazione import seals
    from valutazione.reports.layout import anchored
    from valutazione.seals.anchors import current_anchor

    seals.require_intact(s)
    with anchored(current_anchor(s).line):
        return _export(s, what, fmt, version=version, seduta=seduta, protocols=protocols)


def _export(
    s: Session,
    what: str,
    fmt: str,
    *,
    version: int | None,
    seduta: int | None,
    protocols: Iterable[str] | None,
) -> bytes:
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
    bando = _bando(s)
    if what == "schede":
        schede = collect_scheda(s, protocols)
        if fmt == "pdf":
            return render_schede(schede, bando)
        return _tabular([marks_sheet(schede), collegial_sheet(schede, bando)], fmt)
    view = load_ranking(s, version)
    if what == "graduatoria":
        if fmt == "pdf":
            return build_graduatoria_pdf(view, bando, exclusion_reasons(s))
        return _tabular([ranking_sheet(view, bando), parameters_sheet(view)], fmt)
    if fmt == "pdf":
        return build_graduatoria_pubblica_pdf(view, bando)
    return _tabular([public_sheet(view)], fmt)
