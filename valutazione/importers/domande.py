"""Importing applications (*domande*) from a platform export: plan first, then apply in one transaction.

A received application is never dropped silently (docs/regole.md § 3). A row that cannot be read is *refused*
with its row number and reason, and then the whole file is refused unless the user chooses to skip such
rows; a row that can be read but breaks an admissibility rule is imported with a *flag*, because that
decision belongs to the committee, not to the importer. ``plan_import`` decides all of this without
writing; ``apply_import`` writes the plan in the caller's session, so an error or a cancel midway leaves
the database exactly as it was.
"""

from __future__ import annotations

import errno
import hashlib
import json
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from valutazione import audit
from valutazione.bando import Bando
from valutazione.bando_lotti import stored_properties
from valutazione.db import load_rules
from valutazione.errors import ImportRefusedError, os_error_reason
from valutazione.importers.attachments import AttachmentFolder, read_attachment, split_attachments
from valutazione.importers.lot_columns import (
    QUOTA_FIELD,
    LotFields,
    lot_flags,
    property_columns,
    read_lot_fields,
)
from valutazione.importers.parsing import (
    ZoneMatch,
    check_tax_code,
    check_vat_number,
    match_zone,
    normalise_words,
    parse_amount,
    parse_datetime,
    parse_duration,
)
from valutazione.importers.report import (
    CancelledFn,
    ImportCancelledError,
    ImportReport,
    ImportResult,
    PlannedAttachment,
    PlannedDomanda,
    PlannedFlag,
    ProgressFn,
    Refusal,
    RowsRefusedError,
    Skipped,
)
from valutazione.importers.table import Table, read_table, resolve_columns
from valutazione.importers.textfile import unsafe_character
from valutazione.models import Allegato, Blob, Domanda, Flag, ImportBatch, ZonaRow
from valutazione.money import format_decimal_it, format_euro

__all__ = [
    "apply_import",
    "content_hash",
    "existing_domande",
    "import_domande",
    "plan_import",
    "protocol_key",
    "read_table",
]

WRITE_CHUNK = 500  # applications per multi-row INSERT: few round trips, bounded memory and statement size
REQUIRED_TEXT = {"protocollo": "protocollo", "denominazione": "denominazione", "titolo": "titolo del progetto"}
AMOUNTS = ("costo_totale", "contributo", "cofinanziamento")


def protocol_key(protocol: str) -> str:
    """Protocols compared without regard to spacing or case: ``pg  101/2018`` is ``PG 101/2018``."""
    return " ".join(protocol.split()).upper()


def existing_domande(session: Session) -> dict[str, str]:
    """Protocol key → content hash of the applications already in the file."""
    return {protocol_key(p): h for p, h in session.execute(select(Domanda.protocol, Domanda.content_sha256))}


def _text(cell: object, field: str) -> str:
    if cell is None:
        return ""
    if field in ("codice_fiscale", "partita_iva") and isinstance(cell, int) and not isinstance(cell, bool):
        return f"{cell:011d}"  # a spreadsheet turned the code into a number and dropped its leading zeros
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split()) if field != "abstract" else str(cell).strip()


class _Row:
    """One record of the table, read field by field, collecting refusals instead of stopping."""

    def __init__(self, number: int, cells: tuple[object, ...], columns: Mapping[str, int]) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.refusals: list[Refusal] = []
        self.protocol = self.text("protocollo")

    def cell(self, field: str) -> object:
        index = self.columns.get(field)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, field: str) -> str:
        return _text(self.cell(field), field)

    def refuse(self, field: str, reason: str) -> None:
        self.refusals.append(Refusal(self.number, self.protocol, field, reason))


def plan_import(
    table: Table,
    bando: Bando,
    existing: Mapping[str, str],
    *,
    mapping: Mapping[str, str] | None = None,
    allegati: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ImportReport:
    """Reads every row against the call's rules; writes nothing.

    ``existing`` maps protocol keys to content hashes of applications already stored (see
    ``existing_domande``); ``mapping`` is ``{field: header}`` for columns the aliases do not recognise.
    """
    columns = resolve_columns(table.headers, mapping)
    columns.update(property_columns(table.headers, bando))
    folder = None
    if allegati is not None:
        if not Path(allegati).is_dir():
            raise ImportRefusedError(f"La cartella degli allegati «{allegati}» non esiste.")
        folder = AttachmentFolder(allegati, bando.attachment_max_bytes)
    seen: dict[str, int] = {}
    planned: list[PlannedDomanda] = []
    refused: list[Refusal] = []
    skipped: list[Skipped] = []
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows):
        if cancelled is not None and cancelled():
            raise ImportCancelledError()
        row = _Row(number, cells, columns)
        plan = _read_row(row, bando, folder, has_attachments="allegati" in columns)
        key = protocol_key(row.protocol)
        if key and key in seen:
            row.refuse("protocollo", f"protocollo ripetuto nel file (già alla riga {seen[key]})")
        elif key:
            seen[key] = number
        if plan is not None and not row.refusals and key in existing:
            if existing[key] == plan.content_sha256:
                skipped.append(Skipped(number, row.protocol))
            else:
                row.refuse("protocollo", "protocollo già presente nel database con dati diversi")
        elif plan is not None and not row.refusals:
            planned.append(plan)
        refused.extend(row.refusals)
        if progress is not None:
            progress(done + 1, total)
    return ImportReport(table.filename, table.sha256, total, tuple(planned), tuple(refused), tuple(skipped))


def _read_row(
    row: _Row, bando: Bando, folder: AttachmentFolder | None, *, has_attachments: bool
) -> PlannedDomanda | None:
    """The row as an application with its flags, or None when a required value cannot be read."""
    submitted_at, amounts, duration = _readable_values(row, bando)
    if row.refusals or submitted_at is None:
        return None
    flags: dict[str, list[str]] = {}
    tax_code, vat = _tax_identity(row, flags)
    legal_form = row.text("forma_giuridica")
    if normalise_words(legal_form) not in {normalise_words(f) for f in bando.legal_forms}:
        shown = f"«{legal_form}»" if legal_form else "non indicata"
        flags["forma_giuridica"] = [f"forma giuridica {shown}: non tra quelle ammesse dal bando"]
    zone_text = row.text("zona")
    zone = _zone(zone_text, bando, flags)
    _money_flags(flags, bando, amounts["costo_totale"], amounts["contributo"], amounts["cofinanziamento"])
    if submitted_at > bando.deadline:
        flags["fuori_termine"] = [
            f"inviata il {submitted_at:%d/%m/%Y %H:%M}, dopo la scadenza del {bando.deadline:%d/%m/%Y %H:%M}"
        ]
    lot_fields = _lot_fields(row, bando, flags, amounts)
    attachments = _attachments(row, folder, flags, has_attachments=has_attachments)

    plan = PlannedDomanda(
        row=row.number,
        protocol=row.protocol,
        submitted_at=submitted_at,
        applicant=row.text("denominazione"),
        legal_form=legal_form,
        tax_code=tax_code,
        vat_number=vat,
        legal_representative=row.text("legale_rappresentante"),
        pec=row.text("pec"),
        title=row.text("titolo"),
        zone_text=zone_text,
        zone_number=zone.zone.number if zone.zone else None,
        total_cost_cents=amounts["costo_totale"],
        grant_cents=amounts["contributo"],
        cofinancing_cents=amounts["cofinanziamento"],
        duration_months=duration,
        abstract=row.text("abstract"),
        attachments=attachments,
        flags=tuple(PlannedFlag(rule, "; ".join(details)) for rule, details in flags.items()),
        content_sha256="",
        lot_code=lot_fields.lot_code,
        project_type=lot_fields.project_type,
        quota_properties=stored_properties(lot_fields.properties),
    )
    return replace(plan, content_sha256=content_hash(plan))


def _lot_fields(row: _Row, bando: Bando, flags: dict[str, list[str]], amounts: Mapping[str, int]) -> LotFields:
    """Lot, project type and quota properties, with their flags; a lot's own co-financing minimum
    replaces the call's."""
    cells = {f: row.cell(f) for f in row.columns if f in ("lotto", "tipo_progetto") or f.startswith(QUOTA_FIELD)}
    fields, unreadable = read_lot_fields(cells, bando, flags)
    for field, reason in unreadable.items():
        row.refuse(field, reason)
    extra = lot_flags(bando, fields, amounts["costo_totale"], amounts["contributo"], amounts["cofinanziamento"])
    lot = bando.lots.lot(fields.lot_code) if fields.lot_code else None
    if lot is not None and lot.min_cofinancing_percent is not None:
        flags.pop("cofinanziamento_insufficiente", None)
    flags.update(extra)
    return fields


def _readable_values(row: _Row, bando: Bando) -> tuple[datetime | None, dict[str, int], int | None]:
    """Submission time, amounts and duration; every value that cannot be read refuses the row by field."""
    for field in row.columns:
        cell = row.cell(field)
        found = unsafe_character(cell) if isinstance(cell, str) else None
        if found is not None:
            row.refuse(field, f"contiene {found}: il valore non viene importato")
    for field, label in REQUIRED_TEXT.items():
        if not row.text(field):
            row.refuse(field, f"{label} mancante")
    submitted_at: datetime | None = None
    try:
        submitted_at = parse_datetime(row.cell("data_invio"), bando.timezone)
    except ValueError as exc:
        row.refuse("data_invio", str(exc))
    amounts: dict[str, int] = {}
    for field in AMOUNTS:
        try:
            amounts[field] = parse_amount(row.cell(field))
        except ValueError as exc:
            row.refuse(field, str(exc))
    duration: int | None = None
    try:
        duration = parse_duration(row.cell("durata_mesi"))
    except ValueError as exc:
        row.refuse("durata_mesi", str(exc))
    return submitted_at, amounts, duration


def _tax_identity(row: _Row, flags: dict[str, list[str]]) -> tuple[str, str]:
    """Tax code and VAT number, normalised when valid; an invalid one is a flag, not a refusal."""
    tax_code, vat = row.text("codice_fiscale"), row.text("partita_iva")
    try:
        tax_code = check_tax_code(tax_code)
    except ValueError as exc:
        flags.setdefault("cf_non_valido", []).append(str(exc))
    if vat:
        try:
            vat = check_vat_number(vat)
        except ValueError as exc:
            flags.setdefault("cf_non_valido", []).append(str(exc))
    return tax_code, vat


def _zone(zone_text: str, bando: Bando, flags: dict[str, list[str]]) -> ZoneMatch:
    zone = match_zone(zone_text, bando.zones)
    if zone.status == "unknown":
        shown = f"«{zone_text}»" if zone_text else "non indicata"
        flags["zona_non_ammessa"] = [f"zona {shown}: non corrisponde a nessuna zona bersaglio del bando"]
    elif zone.status == "ambiguous":
        numbers = ", ".join(str(n) for n in zone.candidates)
        flags["zona_ambigua"] = [
            f"zona «{zone_text}»: corrisponde a più zone bersaglio ({numbers}); la commissione deve indicare quale"
        ]
    return zone


_DERIVED = frozenset({"row", "flags", "content_sha256", "zone_number"})
_LOT_FIELDS = ("lot_code", "project_type", "quota_properties")  # hashed only when set: older hashes still match


def content_hash(plan: PlannedDomanda) -> str:
    """SHA-256 of what the applicant submitted (not of the row number, flags or where files were found).

    Equal hashes mean the same application re-imported, which is skipped; a different hash under a
    known protocol is a conflicting second version, which is refused.
    """
    # A shallow copy of the fields: the nested ones are replaced below and the rest are str, int or
    # None, so ``asdict``'s recursive deep copy (a quarter of planning 5,000 rows) gave the same dict.
    content = {f.name: getattr(plan, f.name) for f in fields(plan) if f.name not in _DERIVED}
    for name in _LOT_FIELDS:
        if not content[name]:
            del content[name]
    content["submitted_at"] = plan.submitted_at.isoformat()
    content["attachments"] = [a.filename for a in plan.attachments]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _money_flags(flags: dict[str, list[str]], bando: Bando, total: int, grant: int, cofinancing: int) -> None:
    if grant > bando.cap_cents:
        flags["oltre_massimale"] = [
            f"contributo richiesto {format_euro(grant)}, oltre il massimale di {format_euro(bando.cap_cents)}"
        ]
    if total != grant + cofinancing:
        flags["costo_incoerente"] = [
            f"costo totale {format_euro(total)} diverso da contributo "
            f"+ cofinanziamento ({format_euro(grant + cofinancing)})"
        ]
    minimum = bando.min_cofinancing_percent
    if Decimal(cofinancing) * 100 < minimum * total:
        share = format_decimal_it(Decimal(cofinancing) * 100 / total)
        floor = format_decimal_it(minimum, 0 if minimum == minimum.to_integral() else 2)
        flags["cofinanziamento_insufficiente"] = [
            f"cofinanziamento {format_euro(cofinancing)}, pari al {share}% del costo totale, "
            f"inferiore al minimo del {floor}%"
        ]


def _attachments(
    row: _Row, folder: AttachmentFolder | None, flags: dict[str, list[str]], *, has_attachments: bool
) -> tuple[PlannedAttachment, ...]:
    names = split_attachments(row.text("allegati") if has_attachments else "")
    if folder is None:
        return tuple(PlannedAttachment(n, None) for n in names)
    if has_attachments and not names:
        flags["allegato_mancante"] = ["nessun allegato indicato nella domanda"]
    planned: list[PlannedAttachment] = []
    for name in names:
        found = folder.find(name, row.protocol)
        if found.refused:
            row.refuse("allegati", found.reason)
        elif found.path is None:
            flags.setdefault("allegato_mancante", []).append(found.reason)
        planned.append(PlannedAttachment(name, found.path))
    return tuple(planned)


def apply_import(
    session: Session,
    report: ImportReport,
    *,
    skip_invalid: bool = False,
    actor: str = "sistema",
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ImportResult:
    """Writes the plan in the caller's transaction: applications, flags, attachments, batch and audit row.

    Refuses (``RowsRefusedError``) when some rows were refused and ``skip_invalid`` is false. Writes
    nothing at all when there is nothing new, so importing the same file twice leaves no trace.
    """
    if report.refused and not skip_invalid:
        raise RowsRefusedError(report)
    if not report.domande:
        return ImportResult(report, 0, None)
    max_bytes = load_rules(session).attachment_max_bytes
    zone_ids = {number: id_ for id_, number in session.execute(select(ZonaRow.id, ZonaRow.number))}
    batch = ImportBatch(
        filename=report.filename,
        sha256=report.file_sha256,
        rows_imported=len(report.domande),
        rows_refused=len(report.refused_rows),
    )
    session.add(batch)
    session.flush()
    stored: set[str] = set()
    total = len(report.domande)
    # Rows go in as Core multi-row INSERTs, WRITE_CHUNK at a time, not as ORM objects flushed one by
    # one: at 5,000 applications the per-row flush (and the unit of work around it) was most of the
    # import. All of it stays in the caller's transaction, so an error or a cancel still leaves nothing.
    for start in range(0, total, WRITE_CHUNK):
        chunk = report.domande[start : start + WRITE_CHUNK]
        rows: list[dict[str, object]] = []
        children: list[tuple[str, dict[str, str], list[tuple[str, str | None]]]] = []
        for done, plan in enumerate(chunk, start=start):
            if cancelled is not None and cancelled():
                raise ImportCancelledError()
            rows.append(
                {
                    "protocol": plan.protocol,
                    "submitted_at": plan.submitted_at,
                    "applicant": plan.applicant,
                    "legal_form": plan.legal_form,
                    "tax_code": plan.tax_code,
                    "vat_number": plan.vat_number,
                    "legal_representative": plan.legal_representative,
                    "pec": plan.pec,
                    "title": plan.title,
                    "zone_text": plan.zone_text,
                    "zona_id": None if plan.zone_number is None else zone_ids.get(plan.zone_number),
                    "total_cost_cents": plan.total_cost_cents,
                    "grant_cents": plan.grant_cents,
                    "cofinancing_cents": plan.cofinancing_cents,
                    "duration_months": plan.duration_months,
                    "abstract": plan.abstract,
                    "batch_id": batch.id,
                    "source_row": plan.row,
                    "content_sha256": plan.content_sha256,
                    "lot_code": plan.lot_code,
                    "project_type": plan.project_type,
                    "quota_properties": plan.quota_properties,
                }
            )
            flags = {f.rule: f.detail for f in plan.flags}
            files = [
                (a.filename, _store_attachment(session, plan.row, a, stored, flags, max_bytes))
                for a in plan.attachments
            ]
            children.append((plan.protocol, flags, files))
            if progress is not None:
                progress(done + 1, total)
        session.flush()  # the chunk's new blobs, before the attachments that refer to them
        session.execute(insert(Domanda), rows)
        chunk_ids = select(Domanda.protocol, Domanda.id).where(Domanda.protocol.in_([c[0] for c in children]))
        ids: dict[str, int] = {protocol: id_ for protocol, id_ in session.execute(chunk_ids)}
        flag_rows = [
            {"domanda_id": ids[protocol], "rule": rule, "detail": detail}
            for protocol, flags, _ in children
            for rule, detail in flags.items()
        ]
        file_rows = [
            {"domanda_id": ids[protocol], "filename": name, "sha256": sha}
            for protocol, _, files in children
            for name, sha in files
        ]
        if flag_rows:
            session.execute(insert(Flag), flag_rows)
        if file_rows:
            session.execute(insert(Allegato), file_rows)
    audit.record(
        session,
        actor,
        "domande.importate",
        "import_batch",
        batch.id,
        None,
        {
            "file": report.filename,
            "sha256": report.file_sha256,
            "importate": len(report.domande),
            "gia_presenti": len(report.skipped),
            "segnalazioni": len(report.flags),
            "rifiutate": [
                {"riga": r.row, "protocollo": r.protocol, "campo": r.field, "motivo": r.reason} for r in report.refused
            ],
        },
    )
    return ImportResult(report, len(report.domande), batch.id)


def _store_attachment(
    session: Session, row: int, attachment: PlannedAttachment, stored: set[str], flags: dict[str, str], max_bytes: int
) -> str | None:
    """Stores the bytes once per content; a file gone since planning becomes a missing-attachment flag.

    A file that turned into something else since planning (a link, a device, a larger file) refuses the
    whole import, naming the row: the caller's transaction then rolls back and nothing is written.
    """
    if attachment.path is None:
        return None
    try:
        data = read_attachment(attachment.path, attachment.filename, max_bytes)
    except ValueError as exc:
        raise ImportRefusedError(f"Riga {row}: {exc}. Nessuna domanda importata.") from exc
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise ImportRefusedError(
                f"Riga {row}: allegato «{attachment.filename}» rifiutato ({os_error_reason(exc)}). "
                "Nessuna domanda importata."
            ) from exc
        reason = f"«{attachment.filename}» non leggibile: {os_error_reason(exc)}"
        earlier = flags.get("allegato_mancante")
        flags["allegato_mancante"] = f"{earlier}; {reason}" if earlier else reason
        return None
    sha = hashlib.sha256(data).hexdigest()
    if sha not in stored and session.get(Blob, sha) is None:
        session.add(Blob(sha256=sha, size=len(data), data=data))
    stored.add(sha)
    return sha


def import_domande(
    session: Session,
    path: str | Path,
    *,
    allegati: str | Path | None = None,
    mapping: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    actor: str = "sistema",
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ImportResult:
    """Reads, plans and (unless ``dry_run``) applies an export in the caller's session.

    Progress runs once from 0 to twice the number of rows: reading, then writing.
    """
    table = read_table(path)
    n = len(table.rows)

    def planning(done: int, _total: int) -> None:
        if progress is not None:
            progress(done, 2 * n)

    report = plan_import(
        table,
        load_rules(session),
        existing_domande(session),
        mapping=mapping,
        allegati=allegati,
        progress=planning,
        cancelled=cancelled,
    )
    if dry_run:
        if progress is not None:
            progress(2 * n, 2 * n)
        return ImportResult(report, 0, None)

    def writing(done: int, total: int) -> None:
        if progress is not None:
            progress(n + (done * n) // max(total, 1), 2 * n)

    result = apply_import(
        session, report, skip_invalid=skip_invalid, actor=actor, progress=writing, cancelled=cancelled
    )
    if progress is not None:
        progress(2 * n, 2 * n)
    return result
