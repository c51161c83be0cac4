"""Members' scores in bulk from CSV (paper sheets typed in later; tests and demos).

All or nothing: every row is checked first, and one bad row refuses the whole file with the row
number and the field, because a partly imported set of scores would silently change averages.
Rows become drafts; each member still submits their own sheets.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.bando import Bando
from valutazione.errors import ImportRefusedError, RuleViolation
from valutazione.importers.textfile import (
    MAX_IMPORT_BYTES,
    check_regular_file,
    detect_encoding,
    detect_encoding_of,
    first_unsafe,
)
from valutazione.models import Ammissibilita, Commissario, Dichiarazione, Domanda, Scheda
from valutazione.scoring import validate_value
from valutazione.services import lookup
from valutazione.services.committee import SCORING_ROLES
from valutazione.services.conflicts import EXCLUDED_OUTCOMES, all_conflicts
from valutazione.services.sheets import SUBMITTED, Mark, save_draft

COLUMNS = ("Commissario", "Protocollo", "Sottocriterio", "Coefficiente", "Motivazione")
MAX_LISTED = 20
MAX_SCORE_ROWS = 200_000  # e.g. 2,000 applications x 20 sub-criteria x 5 members, typed in from paper


class ScoresImportRefused(ImportRefusedError):
    """The file was refused as a whole; ``problems`` lists every row at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_LISTED]
        more = f"\n… e altri {len(problems) - MAX_LISTED} errori" if len(problems) > MAX_LISTED else ""
        super().__init__("Importazione dei punteggi rifiutata, nessun punteggio salvato:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class ScoresImportReport:
    rows: int
    sheets: int
    members: tuple[str, ...]
    sha256: str


def _open_text(source: Path | bytes) -> tuple[TextIO, str]:
    """The file as text in its one encoding, and its SHA-256; limits and encoding as ``textfile`` rules.

    A path is checked with ``os.stat`` first (missing file, device, FIFO or over the size limit are
    refused before reading) and then streamed, so memory does not grow with the file.
    """
    try:
        if isinstance(source, bytes):
            if len(source) > MAX_IMPORT_BYTES:
                raise ImportRefusedError(f"file di punteggi oltre il limite di {MAX_IMPORT_BYTES // 2**20} MB")
            encoding = detect_encoding_of(source, "file dei punteggi")
            return io.StringIO(source.decode(encoding.codec), newline=""), encoding.sha256
        path = Path(source)
        check_regular_file(path)
        with open(path, "rb") as fh:
            encoding = detect_encoding(fh, path.name)
        return open(path, encoding=encoding.codec, newline=""), encoding.sha256
    except ScoresImportRefused:
        raise
    except ImportRefusedError as exc:
        raise ScoresImportRefused([str(exc)]) from exc
    except OSError as exc:
        raise ScoresImportRefused([f"impossibile leggere il file dei punteggi: {exc.strerror or exc}"]) from exc


def _rows(reader: Any) -> Iterator[list[str]]:
    """The reader's rows, with csv's own errors (an overlong or malformed field) as a refusal."""
    try:
        for count, row in enumerate(reader):
            if count > MAX_SCORE_ROWS:
                limit = f"{MAX_SCORE_ROWS:,}".replace(",", ".")
                raise ScoresImportRefused([f"il file ha più di {limit} righe (limite di un'importazione): dividerlo"])
            yield row
    except csv.Error as exc:
        raise ScoresImportRefused([f"riga {reader.line_num}: il file CSV non è leggibile ({exc})"]) from exc


def _value(text: str) -> Decimal:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    return Decimal(cleaned)


def import_scores(s: Session, source: Path | bytes, actor: str) -> ScoresImportReport:
    """Checks every row, then saves the drafts; raises ``ScoresImportRefused`` naming rows and fields."""
    text, digest = _open_text(source)
    with text:
        return _import_rows(s, text, digest, actor)


def _check_header(header: list[str]) -> None:
    if tuple(h.lower() for h in header[: len(COLUMNS)]) != tuple(c.lower() for c in COLUMNS):
        raise ScoresImportRefused([f"riga 1: intestazione attesa «{';'.join(COLUMNS)}», trovata «{';'.join(header)}»"])
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        key = name.casefold()
        if key and key in seen:
            raise ScoresImportRefused(
                [f"riga 1: la colonna «{name}» compare due volte (colonne {seen[key]} e {number})"]
            )
        seen[key] = number


@dataclass(frozen=True)
class _Known:
    """What a row is checked against, read once per import."""

    bando: Bando
    members: dict[str, Commissario]
    declared: set[int]
    domande: dict[str, Domanda]
    outcomes: dict[int, str]
    conflicts: set[tuple[int, int]]
    submitted: set[tuple[int, int]]

    @classmethod
    def read(cls, s: Session) -> _Known:
        return cls(
            lookup.rules(s),
            {m.name: m for m in s.scalars(select(Commissario))},
            set(s.scalars(select(Dichiarazione.commissario_id))),
            {d.protocol: d for d in s.scalars(select(Domanda))},
            {a.domanda_id: a.outcome for a in s.scalars(select(Ammissibilita))},
            set(all_conflicts(s)),
            {
                (m, d)
                for m, d in s.execute(select(Scheda.commissario_id, Scheda.domanda_id).where(Scheda.state == SUBMITTED))
            },
        )

    def who_and_what(self, line: int, name: str, protocol: str) -> list[str]:
        """Why this member may not score this application from a file (empty when they may)."""
        problems = []
        m, d = self.members.get(name), self.domande.get(protocol)
        if m is None:
            problems.append(f"riga {line}, campo Commissario: «{name}» non fa parte della commissione")
        elif m.role not in SCORING_ROLES:
            problems.append(f"riga {line}, campo Commissario: «{name}» è segretario verbalizzante e non valuta")
        elif m.id not in self.declared:
            problems.append(f"riga {line}, campo Commissario: «{name}» non ha reso la dichiarazione generale")
        if d is None:
            problems.append(f"riga {line}, campo Protocollo: domanda «{protocol}» inesistente")
        elif self.outcomes.get(d.id) in EXCLUDED_OUTCOMES:
            problems.append(f"riga {line}, campo Protocollo: la domanda {protocol} è esclusa e non si valuta")
        if m is not None and d is not None:
            if (m.id, d.id) in self.conflicts:
                problems.append(
                    f"riga {line}, campo Commissario: {name} è in conflitto di interessi sulla domanda {protocol}"
                )
            if (m.id, d.id) in self.submitted:
                problems.append(f"riga {line}: la scheda di {name} sulla domanda {protocol} è già inviata")
        return problems

    def value(self, line: int, code: str, raw: str) -> tuple[Decimal | None, str | None]:
        """The coefficient of the row, or why it cannot be used."""
        if code not in {sub.code for sub in self.bando.subcriteria}:
            return None, f"riga {line}, campo Sottocriterio: «{code}» non è previsto dal bando {self.bando.code}"
        try:
            value = _value(raw)
            if not value.is_finite():
                raise InvalidOperation
            validate_value(self.bando, code, value)
        except InvalidOperation:
            return None, f"riga {line}, campo Coefficiente: «{raw}» non è un numero"
        except RuleViolation as exc:
            return None, f"riga {line}, campo Coefficiente: {exc}"
        return value, None


def _import_rows(s: Session, text: TextIO, digest: str, actor: str) -> ScoresImportReport:
    reader = csv.reader(text, delimiter=";")
    rows = _rows(reader)
    header = [h.strip() for h in next(rows, [])]
    _check_header(header)
    known = _Known.read(s)
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    grouped: dict[tuple[int, int], dict[str, Mark]] = defaultdict(dict)
    count = 0
    for row in rows:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if len(row) < len(COLUMNS):
            problems.append(f"riga {line}: attese {len(COLUMNS)} colonne, trovate {len(row)}")
            continue
        hidden = first_unsafe(zip(COLUMNS, row[: len(COLUMNS)], strict=True))
        if hidden is not None:
            problems.append(f"riga {line}, campo {hidden[0]}: contiene {hidden[1]}")
            continue
        name, protocol, code, raw, motivazione = (c.strip() for c in row[: len(COLUMNS)])
        problems.extend(known.who_and_what(line, name, protocol))
        value, why = known.value(line, code, raw)
        if value is None:
            problems.append(str(why))
            continue
        key = (name, protocol, code)
        if key in seen:
            problems.append(f"riga {line}: {code} di {name} sulla domanda {protocol} è ripetuto")
        seen.add(key)
        m, d = known.members.get(name), known.domande.get(protocol)
        if m is not None and d is not None:
            grouped[(m.id, d.id)][code] = Mark(value, motivazione)
    if problems:
        raise ScoresImportRefused(problems)
    if not grouped:
        raise ScoresImportRefused(["il file non contiene punteggi"])
    for (member_id, domanda_id), marks in grouped.items():
        save_draft(s, member_id, domanda_id, marks)
    names = tuple(sorted({lookup.member(s, mid).name for mid, _ in grouped}))
    report = ScoresImportReport(count, len(grouped), names, digest)
    audit.record(
        s,
        actor,
        "punteggi.importati",
        "scheda",
        None,
        None,
        {"righe": count, "schede": len(grouped), "commissari": list(names), "sha256": digest},
    )
    return report
