"""Anchors outside the file: the log's head and position, printed on every document and checked back.

Whoever holds the file can rewrite the whole log consistently; what they cannot rewrite are the documents
already signed, published or handed to members. Each document prints «Registro: riga N, testa H» (the
number of log rows and the hash of the last one when it was made); ``verify_against`` reads a document
back and checks that the file's log still has H at row N, and that what the document states (the ranking
version's fingerprint, which covers positions, points and grants; the minutes' and sheets' fingerprints,
which cover the decisions and the sheets' hashes) still follows from the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione.models import AuditRow, GraduatoriaVersion, Seduta
from valutazione.seals.report import BrokenSeal

ANCHOR_RE = re.compile(r"Registro:\s*riga\s+(\d+),\s*testa\s+([0-9a-f]{64})")
FINGERPRINT_RE = re.compile(r"impronta ([0-9a-f]{64})")
MAX_PDF_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Anchor:
    position: int  # how many log rows there were
    head: str  # the hash of the last one

    @property
    def line(self) -> str:
        return f"Registro: riga {self.position}, testa {self.head}"


def current_anchor(session: Session) -> Anchor:
    count = session.scalar(select(func.count(AuditRow.id))) or 0
    head = session.scalar(select(AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)) or ""
    return Anchor(count, head)


def hash_at(session: Session, position: int) -> str | None:
    """The hash of the ``position``-th row of the log (1-based, in chain order), if there is one."""
    if position < 1:
        return None
    query = select(AuditRow.hash).order_by(AuditRow.id).offset(position - 1).limit(1)
    return session.scalar(query)


@dataclass(frozen=True)
class DocumentStatement:
    """What a committee document says, read back from the PDF."""

    name: str
    title: str
    anchor: Anchor | None
    fingerprint: str | None
    text: str


def read_document(path: Path) -> DocumentStatement:
    """Reads a PDF as hostile input: size-limited, parse errors become an Italian message naming the file."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from valutazione.errors import ValutazioneError

    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            raise ValutazioneError(f"«{path.name}» è troppo grande per essere un documento della commissione.")
        reader = PdfReader(path)
        meta = reader.metadata
        title = str(meta.title or "") if meta else ""
        keywords = str(meta.get("/Keywords", "")) if meta else ""
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except OSError as exc:
        raise ValutazioneError(f"Impossibile leggere «{path}»: {exc.strerror or exc}") from exc
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ValutazioneError(f"«{path.name}» non è un PDF leggibile: {exc}") from exc
    found = ANCHOR_RE.search(text.replace("\n", " "))
    anchor = Anchor(int(found.group(1)), found.group(2)) if found else None
    print_ = FINGERPRINT_RE.search(keywords)
    return DocumentStatement(path.name, title, anchor, print_.group(1) if print_ else None, text)


def verify_against(session: Session, path: Path) -> list[BrokenSeal]:
    """Every way the file no longer matches the document at ``path``; empty when it does."""
    doc = read_document(path)
    obj = f"Documento «{doc.name}»"
    if doc.anchor is None:
        return [
            BrokenSeal(
                "ancora",
                obj,
                "non riporta l'ancora del registro (documento di una versione precedente "
                "o non prodotto da questo programma): non può fare da riscontro",
            )
        ]
    broken: list[BrokenSeal] = []
    a = doc.anchor
    found = hash_at(session, a.position)
    rows = session.scalar(select(func.count(AuditRow.id))) or 0
    if found is None:
        broken.append(
            BrokenSeal(
                "ancora",
                obj,
                f"ancora mancante: il documento riporta la riga {a.position} del "
                f"registro con testa {a.head[:16]}…, ma il registro del file ha solo {rows} righe "
                "(righe finali rimosse)",
            )
        )
    elif found != a.head:
        broken.append(
            BrokenSeal(
                "ancora",
                obj,
                f"ancora mancante: alla riga {a.position} il registro del file ha "
                f"testa {found[:16]}… invece di {a.head[:16]}… (registro riscritto)",
            )
        )
    broken.extend(_statement(session, doc, obj))
    return broken


def _statement(session: Session, doc: DocumentStatement, obj: str) -> list[BrokenSeal]:
    """Whether what the document states still follows from the file, by its fingerprint."""
    if doc.fingerprint is None:
        return [BrokenSeal("ancora", obj, "non riporta l'impronta del suo contenuto")]
    title = doc.title.lower()
    if title.startswith("verbale"):
        from valutazione.reports.verbale_data import collect_verbale

        for number in session.scalars(select(Seduta.number)):
            if collect_verbale(session, number).fingerprint() == doc.fingerprint:
                return []
        return [
            BrokenSeal(
                "ancora",
                obj,
                "le decisioni e le impronte delle schede riportate nel verbale non "
                "corrispondono più a nessuna seduta del file",
            )
        ]
    if title.startswith("schede"):
        return _sheets(session, doc, obj)
    versions = set(session.scalars(select(GraduatoriaVersion.fingerprint)))
    if doc.fingerprint in versions:
        return []
    from valutazione.services import ranking as ranking_service

    if ranking_service.compute(session).ranking.fingerprint() == doc.fingerprint:
        return []
    return [
        BrokenSeal(
            "ancora",
            obj,
            "posizioni, punteggi e contributi della graduatoria riportata non "
            "corrispondono più a nessuna versione del file",
        )
    ]


def _sheets(session: Session, doc: DocumentStatement, obj: str) -> list[BrokenSeal]:
    from valutazione.models import Domanda
    from valutazione.reports.layout import fingerprint_of
    from valutazione.reports.scheda import collect_scheda, sheets_content

    known = list(session.scalars(select(Domanda.protocol)))
    shown = [p for p in known if re.search(re.escape(p) + r"(?![0-9])", doc.text)]
    for protocols in (shown, None):
        if fingerprint_of(sheets_content(collect_scheda(session, protocols))) == doc.fingerprint:
            return []
    return [BrokenSeal("ancora", obj, "i voti e le motivazioni delle schede riportate non corrispondono più al file")]
