"""Outgoing packages (chair → member): a zip with a manifest and a small database made for one member.

The database inside is a normal valutazione file built with ``create_database``, so the member's
laptop opens it with the same application and the same services, day after day. It holds only what
that member may see: the call's rules, the applications assigned to them (admissible or not yet
decided, not in conflict) with their attachments, the member, their declarations and their own
earlier sheets — never another member's scores, which they must not see before submitting.
Every export takes the next sequence number for that member, recorded in ``Pacchetto`` so that a
return can be matched to the package it answers and an outdated return refused.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from valutazione import audit
from valutazione.bando import bando_from_json
from valutazione.db import create_database, open_database
from valutazione.errors import RuleViolation
from valutazione.models import (
    Allegato,
    Ammissibilita,
    AuditRow,
    BandoRow,
    Blob,
    Commissario,
    Conflitto,
    Domanda,
    Pacchetto,
    Scheda,
    ZonaRow,
)
from valutazione.seals import require_intact
from valutazione.services import lookup
from valutazione.services.committee import declaration, require_scorer
from valutazione.services.conflicts import assigned_domande
from valutazione.services.rules import lock_rules
from valutazione.sync.archive import MANIFEST, PackageError, extract_entry, sha256_file, unusable, write_zip
from valutazione.sync.chair_key import chair_key, pin, pinned_key, sign_manifest
from valutazione.sync.keys import fingerprint, same_fingerprint
from valutazione.sync.manifest import (
    CHAIR_SIGNATURE,
    MAX_CODE,
    MAX_NAME,
    WHAT,
    Manifest,
    PackageIdentity,
    positive,
    strict_uuid,
    text,
    verified_manifest,
)
from valutazione.sync.manifest import read_manifest as read_manifest  # re-exported: the laptop's entry points
from valutazione.sync.manifest import working_folder as working_folder
from valutazione.sync.sealed import check_passphrase, open_container, seal_file
from valutazione.sync.workfile import is_rollback_sqlite, is_sound, link_fresh, make_folder, remove_db, remove_made

DB_ENTRY = "commissario.valutazione"
MAX_STEM = 100  # characters of the package's name kept in the working file's name
EXTRACTED_SUFFIX = ".valutazione-commissario"
IDENTITY_ACTION = "pacchetto.creato"
OUTGOING = "uscita"
EXPORTED_ACTION = "pacchetto.esportato"  # its row lists the applications the package holds
RETURNING = "ritorno"
PACKAGE_ACTOR = "sistema"

T = TypeVar("T")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest: Manifest
    applications: int
    sheets: int
    declared: bool

    @property
    def chair_fingerprint(self) -> str:
        return fingerprint(self.manifest.chair_public_key)


@dataclass(frozen=True)
class OpenedPackage:
    """The member's working file, extracted once; ``created`` on the first opening of this package,
    ``key_pinned`` when this laptop recorded the chair's key now (its fingerprint is to be compared)."""

    path: Path
    manifest: Manifest
    created: bool
    key_pinned: bool = False

    @property
    def chair_fingerprint(self) -> str:
        return fingerprint(self.manifest.chair_public_key)


def package_identity(s: Session) -> PackageIdentity | None:
    """The identity of a member's package database, or None for a chair's (master) file.

    The row came from a package, so it is read as strictly as the manifest: a malformed one is a
    ``PackageError``, never a ``KeyError`` from deep inside.
    """
    row = s.scalars(select(AuditRow).where(AuditRow.action == IDENTITY_ACTION).order_by(AuditRow.id.desc())).first()
    if row is None:
        return None
    try:
        data = json.loads(row.after_json)
        return PackageIdentity(
            text(data["bando_code"], "bando_code", MAX_CODE),
            strict_uuid(data["file_uuid"]),
            text(data["member_name"], "member_name", MAX_NAME),
            positive(data["sequence"], "sequence"),
        )
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        raise PackageError(f"L'identità del pacchetto registrata nel file non è leggibile ({exc!s:.200}).") from exc


def require_master(s: Session) -> None:
    """Packages are exported from and returns merged into the chair's file only."""
    if package_identity(s) is not None:
        raise RuleViolation(
            "Questo è il file di lavoro di un commissario, non il file del presidente: "
            "esportare pacchetti e importare ritorni solo nel file del presidente."
        )


def export_package(s: Session, member_name: str, out: Path, *, passphrase: str | None = None) -> ExportResult:
    """Writes the member's next package to ``out`` and records its sequence in the caller's transaction.

    With a ``passphrase`` the file is sealed (``sealed.py``) and the member's database is built in the
    system's temporary folder, not beside ``out``: no plain copy ever touches the USB stick.
    """
    if passphrase is not None:
        check_passphrase(passphrase)
    require_master(s)
    require_intact(s)  # nothing goes out of, or into, a file whose seals are broken
    m = lookup.member_by_name(s, member_name)
    require_scorer(m)
    if out.exists():
        raise PackageError(f"Il file «{out}» esiste già: scegliere un altro nome.")
    chair_row = lookup.bando_row(s)
    declared = declaration(s, m.id) is not None
    # Before the general declaration the member may see no application: the package carries none.
    domande = assigned_domande(s, m.id) if declared else []
    if domande:
        lock_rules(s, _actor(s))  # the applications are opened by a member: the rules are fixed from now on
    last = s.scalar(
        select(func.max(Pacchetto.sequence)).where(Pacchetto.commissario_id == m.id, Pacchetto.direction == OUTGOING)
    )
    sequence = (last or 0) + 1
    key = chair_key(s, _actor(s))  # created at the first package, kept in this file only
    identity = {
        "bando_code": chair_row.code,
        "file_uuid": chair_row.file_uuid,
        "member_name": m.name,
        "sequence": sequence,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=None if passphrase else out.parent, prefix=".valpkg-") as tmp:
        db_path = Path(tmp) / DB_ENTRY
        sheets = _build_member_db(s, db_path, chair_row, m, domande, identity)
        manifest = Manifest(
            chair_row.code,
            chair_row.file_uuid,
            m.id,
            m.name,
            sequence,
            datetime.now(UTC),
            sha256_file(db_path),
            key.public_hex,
        )
        raw = manifest.to_json()
        entries: list[tuple[str, bytes | Path]] = [
            (MANIFEST, raw),
            (CHAIR_SIGNATURE, sign_manifest(key, raw)),
            (DB_ENTRY, db_path),
        ]
        if passphrase is None:
            write_zip(out, entries)
        else:
            write_zip(Path(tmp) / "pacchetto.zip", entries)
            seal_file(Path(tmp) / "pacchetto.zip", out, passphrase)
    s.add(Pacchetto(commissario_id=m.id, direction=OUTGOING, sequence=sequence, content_sha256=manifest.content_sha256))
    s.flush()
    audit.record(
        s,
        _actor(s),
        EXPORTED_ACTION,
        "commissario",
        m.id,
        None,
        {
            "commissario": m.name,
            "sequenza": sequence,
            "domande": [d.protocol for d in domande],
            "sha256": manifest.content_sha256,
        },
    )
    return ExportResult(out, manifest, len(domande), sheets, declared)


def _actor(s: Session) -> str:
    chair = s.scalars(select(Commissario).where(Commissario.role == "presidente")).first()
    return chair.name if chair else "presidente"


def _clone(row: T, **overrides: Any) -> T:
    """A detached copy of an ORM row with every column but the id (and the given overrides)."""
    mapper = inspect(type(row))
    values = {a.key: getattr(row, a.key) for a in mapper.column_attrs if a.key != "id"}
    values.update(overrides)
    return type(row)(**values)


def _build_member_db(
    s: Session, path: Path, chair_row: BandoRow, m: Commissario, domande: list[Domanda], identity: dict[str, Any]
) -> int:
    """Creates the member's database at ``path``; returns how many earlier sheets it carries."""
    pkg = create_database(path, bando_from_json(chair_row.rules_json), chair_row.source_toml, actor=PACKAGE_ACTOR)
    sheets = 0
    try:
        with pkg.sessions.begin() as t:
            row = t.scalars(select(BandoRow)).one()
            row.title, row.rules_json = chair_row.title, chair_row.rules_json
            row.appointment_act, row.appointment_date = chair_row.appointment_act, chair_row.appointment_date
            row.rules_locked_at = chair_row.rules_locked_at
            member = _clone(m)
            t.add(member)
            t.flush()
            d0 = declaration(s, m.id)
            if d0 is not None:
                t.add(_clone(d0, commissario_id=member.id))
            zone_ids = {z.number: z.id for z in t.scalars(select(ZonaRow))}
            blobs: set[str] = set()
            for d in domande:
                sheets += _copy_domanda(s, t, d, m.id, member.id, zone_ids, blobs)
            audit.record(t, PACKAGE_ACTOR, IDENTITY_ACTION, "pacchetto", str(identity["sequence"]), None, identity)
    finally:
        pkg.close()
    # One self-contained file, with no -wal beside it, is what goes in the zip.
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()
    return sheets


def _copy_domanda(
    s: Session, t: Session, d: Domanda, chair_member_id: int, member_id: int, zone_ids: dict[int, int], blobs: set[str]
) -> int:
    zona = zone_ids.get(d.zona.number) if d.zona is not None else None
    copy = _clone(d, zona_id=zona, batch_id=None)
    t.add(copy)
    t.flush()
    for a in d.allegati:
        if a.sha256 is not None and a.sha256 not in blobs:
            blob = s.get(Blob, a.sha256)
            if blob is not None:
                t.add(_clone(blob, sha256=blob.sha256))
                t.flush()  # no relationship orders the blob before the attachment that points to it
                blobs.add(a.sha256)
        t.add(Allegato(domanda_id=copy.id, filename=a.filename, sha256=a.sha256 if a.sha256 in blobs else None))
    decision = s.scalars(select(Ammissibilita).where(Ammissibilita.domanda_id == d.id)).first()
    if decision is not None:
        t.add(_clone(decision, domanda_id=copy.id))
    conflict = s.scalars(
        select(Conflitto).where(Conflitto.commissario_id == chair_member_id, Conflitto.domanda_id == d.id)
    ).first()
    if conflict is not None:
        t.add(_clone(conflict, commissario_id=member_id, domanda_id=copy.id))
    sheet = s.scalars(
        select(Scheda)
        .options(selectinload(Scheda.voti))
        .where(Scheda.commissario_id == chair_member_id, Scheda.domanda_id == d.id)
    ).first()
    if sheet is None:
        return 0
    new = _clone(sheet, commissario_id=member_id, domanda_id=copy.id)
    new.voti = [_clone(v, scheda_id=None) for v in sheet.voti]
    t.add(new)
    t.flush()
    return 1


def work_name(pkg_path: Path) -> str:
    """``name.valpkg`` → ``name.valutazione-commissario``; a very long package name is shortened to fit."""
    return pkg_path.stem[:MAX_STEM] + EXTRACTED_SUFFIX


def extracted_path(pkg_path: Path, workdir: Path | None = None, passphrase: str | None = None) -> Path:
    """Where the member's working file lives (``work_name`` in the working folder of its chair file)."""
    folder = workdir if workdir is not None else working_folder(read_manifest(pkg_path, passphrase))
    return folder / work_name(pkg_path)


class ChairKeyUnconfirmed(PackageError):
    """The first package of a chair file on this laptop, whose key fingerprint the member has to confirm."""

    def __init__(self, message: str, shown: str) -> None:
        super().__init__(message)
        self.fingerprint = shown


def open_package(
    pkg_path: Path, workdir: Path | None = None, passphrase: str | None = None, *, trusted_key: str | None = None
) -> OpenedPackage:
    """Extracts the member's database once (checking its SHA-256); later calls reuse the same file.

    The extracted file keeps the member's work across days, so it is never overwritten: a different
    package with the same name is refused until the old working file is returned and moved away.
    A sealed package is checked whole (its GCM tag) before anything is extracted. The chair's
    signature is checked before anything is used, and the chair's key pinned at the first package, only
    if its fingerprint is ``trusted_key``, the one the member compared with the chair's and confirmed
    (``ChairKeyUnconfirmed`` otherwise, before anything is written).

    The working file is written fresh: unpacked under a name of its own, checked, linked into place
    (never over an existing file) with any journal left beside an old one removed first, then checked
    again where it lies. A refusal leaves nothing behind, not even the folders made for it.
    """
    with open_container(pkg_path, WHAT, passphrase) as zf:
        manifest = verified_manifest(zf, pkg_path)
        _require_confirmed(pkg_path, manifest, trusted_key)
        folder = workdir if workdir is not None else working_folder(manifest)
        target = folder / work_name(pkg_path)
        if target.exists():
            _check_identity(target, manifest)
            return OpenedPackage(target, manifest, False, _pin(pkg_path, manifest))
        made = make_folder(folder)
        tmp = folder / f".{uuid.uuid4().hex}.estrazione"
        try:
            digest = extract_entry(zf, pkg_path, DB_ENTRY, tmp, WHAT)
            _check_extracted(pkg_path, tmp, digest, manifest)
            link_fresh(pkg_path, tmp, target)
        except BaseException:
            remove_db(tmp)
            remove_made(made)
            raise
        remove_db(tmp)  # the working file keeps the data under its own name (a hard link)
    try:
        _check_extracted(pkg_path, target, sha256_file(target), manifest)
    except BaseException:
        remove_db(target)
        remove_made(made)
        raise
    return OpenedPackage(target, manifest, True, _pin(pkg_path, manifest))


def _check_extracted(pkg_path: Path, path: Path, digest: str, manifest: Manifest) -> None:
    """The unpacked database is the one the chair signed, a sound SQLite file in rollback mode, and ours."""
    if digest != manifest.content_sha256:
        raise unusable(pkg_path, WHAT, "il contenuto non corrisponde all'impronta del manifest")
    if not is_rollback_sqlite(path):
        raise unusable(pkg_path, WHAT, "la base dati contenuta non è un file di valutazione")
    if not is_sound(path):
        raise unusable(pkg_path, WHAT, "la base dati contenuta è danneggiata")
    _check_identity(path, manifest)


def _require_confirmed(pkg_path: Path, manifest: Manifest, trusted_key: str | None) -> None:
    """Refuses a chair key seen for the first time unless the member confirmed its very fingerprint.

    Pinning whatever key came first would let a forged first package (a colleague's, with altered
    applications or pre-filled drafts) bind this laptop to the forger's key for good, the chair's true
    packages refused from then on; the fingerprint is compared before, not after.
    """
    if pinned_key(manifest.file_uuid) is not None:
        return  # the pinned key was checked against the manifest by ``verified_manifest``
    shown = fingerprint(manifest.chair_public_key)
    if trusted_key is None or not trusted_key.strip():
        raise ChairKeyUnconfirmed(
            f"«{pkg_path.name}» è il primo pacchetto di questo presidente su questo computer: confrontare "
            f"l'impronta della sua chiave, «{shown}», con quella comunicata dal presidente (di persona o per "
            "telefono) e confermarla. Nessuna modifica è stata fatta.",
            shown,
        )
    if not same_fingerprint(trusted_key, shown):
        raise ChairKeyUnconfirmed(
            f"«{pkg_path.name}» è firmato con la chiave di impronta «{shown}», non con quella confermata "
            f"(«{trusted_key.strip()}»): il pacchetto non è quello del presidente, nessuna chiave registrata. "
            "Nessuna modifica è stata fatta.",
            shown,
        )


def _pin(pkg_path: Path, manifest: Manifest) -> bool:
    """Pins the chair's key once the whole package has been checked (so a refused one pins nothing)."""
    return pin(pkg_path.name, manifest.file_uuid, manifest.bando_code, manifest.chair_public_key)


def _check_identity(db_path: Path, manifest: Manifest) -> None:
    try:
        db = open_database(db_path, read_only=True)  # the member may have it open for writing in the GUI
        try:
            with db.sessions() as s:
                identity = package_identity(s)
        finally:
            db.close()
    except (SQLAlchemyError, UnicodeDecodeError) as exc:
        raise PackageError(
            f"«{db_path.name}» non è un file di lavoro leggibile ({str(getattr(exc, 'orig', exc))[:200]}). "
            "Nessuna modifica è stata fatta."
        ) from exc
    expected = PackageIdentity(manifest.bando_code, manifest.file_uuid, manifest.member_name, manifest.sequence)
    if identity != expected:
        found = (
            "nessun pacchetto" if identity is None else f"pacchetto n. {identity.sequence} di {identity.member_name}"
        )
        raise PackageError(
            f"«{db_path.name}» esiste già e contiene un altro lavoro ({found}), mentre il pacchetto "
            f"è il n. {manifest.sequence} di {manifest.member_name}: restituire e spostare il "
            "vecchio file prima di aprire il nuovo pacchetto."
        )
