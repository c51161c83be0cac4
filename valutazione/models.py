"""The ORM tables. Constraints live in the schema (CHECK, UNIQUE, FK) so a bad write fails in SQLite too.

Money is integer cents; coefficients and points are Decimal stored as text (exact); times are
timezone-aware and stored as UTC. Italian legal terms name the tables where they carry meaning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Dialect,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as ISO text so SQLite sorts them right."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetime senza fuso orario")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


class ExactDecimal(TypeDecorator[Decimal]):
    """Decimals stored as their exact text, never through a float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime, Decimal: ExactDecimal}


class BandoRow(Base):
    """The call: its rules copied in as JSON, so the file is self-contained."""

    __tablename__ = "bando"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    rules_json: Mapped[str] = mapped_column(Text)
    source_toml: Mapped[str] = mapped_column(Text, default="")
    file_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    appointment_act: Mapped[str] = mapped_column(Text, default="")
    appointment_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rules_locked_at: Mapped[datetime | None]
    audit_head: Mapped[str] = mapped_column(String(64), default="")


class ZonaRow(Base):
    __tablename__ = "zona"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(Text)


class ImportBatch(Base):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_refused: Mapped[int] = mapped_column(default=0)


class Domanda(Base):
    """An application as received, every field of the submission platform's export."""

    __tablename__ = "domanda"
    __table_args__ = (
        CheckConstraint("total_cost_cents >= 0 AND grant_cents >= 0 AND cofinancing_cents >= 0", name="money_positive"),
        CheckConstraint("duration_months IS NULL OR duration_months > 0", name="duration_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    protocol: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime]
    applicant: Mapped[str] = mapped_column(Text)
    legal_form: Mapped[str] = mapped_column(Text, default="")
    tax_code: Mapped[str] = mapped_column(String(32), default="")
    vat_number: Mapped[str] = mapped_column(String(32), default="")
    legal_representative: Mapped[str] = mapped_column(Text, default="")
    pec: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    zone_text: Mapped[str] = mapped_column(Text, default="")
    zona_id: Mapped[int | None] = mapped_column(ForeignKey("zona.id"))
    total_cost_cents: Mapped[int]
    grant_cents: Mapped[int]
    cofinancing_cents: Mapped[int]
    duration_months: Mapped[int | None]
    abstract: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    source_row: Mapped[int | None]
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    # A call divided into lots (schema 0005): the lot's code, the project type's code (for its cap) and the
    # yes/no properties reserved quotas look at, as the sorted names of those that are yes, comma-separated.
    lot_code: Mapped[str | None] = mapped_column(String(64))
    project_type: Mapped[str | None] = mapped_column(String(64))
    quota_properties: Mapped[str] = mapped_column(Text, default="", server_default="")

    zona: Mapped[ZonaRow | None] = relationship()
    flags: Mapped[list[Flag]] = relationship(back_populates="domanda", cascade="all, delete-orphan")
    allegati: Mapped[list[Allegato]] = relationship(back_populates="domanda", cascade="all, delete-orphan")


class Flag(Base):
    """A readable row that breaks an admissibility rule: imported, and flagged for the committee."""

    __tablename__ = "flag"
    __table_args__ = (UniqueConstraint("domanda_id", "rule"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    domanda: Mapped[Domanda] = relationship(back_populates="flags")


class Blob(Base):
    """Attachment bytes, content-addressed, inside the database so one file carries everything."""

    __tablename__ = "blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Allegato(Base):
    __tablename__ = "allegato"
    __table_args__ = (UniqueConstraint("domanda_id", "filename"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("blob.sha256"))
    domanda: Mapped[Domanda] = relationship(back_populates="allegati")


class Commissario(Base):
    """A committee member; the secretary never scores (enforced by the services)."""

    __tablename__ = "commissario"
    __table_args__ = (CheckConstraint("role IN ('presidente', 'componente', 'segretario')", name="role_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(Text, default="")
    public_key: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Credenziale(Base):
    """A member's password as a salted scrypt hash with its parameters (never the password itself)."""

    __tablename__ = "credenziale"
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(80))  # e.g. "scrypt:n=16384,r=8,p=1"
    salt: Mapped[str] = mapped_column(String(64))  # hex
    digest: Mapped[str] = mapped_column(String(128))  # hex
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChiavePresidente(Base):
    """The chair file's Ed25519 key that signs its packages; never copied into a package (sync/chair_key.py)."""

    __tablename__ = "chiave_presidente"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)  # raw key, hex
    private_pem: Mapped[str] = mapped_column(Text)  # PKCS#8 PEM
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dichiarazione(Base):
    """The general declaration of no incompatibility, required before seeing any application."""

    __tablename__ = "dichiarazione"
    id: Mapped[int] = mapped_column(primary_key=True)
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"), unique=True)
    declared_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)


class Conflitto(Base):
    """Per application and member: conflict (with reason → abstention) or none."""

    __tablename__ = "conflitto"
    __table_args__ = (
        UniqueConstraint("commissario_id", "domanda_id"),
        CheckConstraint("has_conflict = 0 OR length(reason) > 0", name="conflict_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"))
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    has_conflict: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime]


class Ammissibilita(Base):
    __tablename__ = "ammissibilita"
    __table_args__ = (
        CheckConstraint("outcome IN ('ammissibile', 'esclusa', 'non_ricevibile')", name="outcome_known"),
        CheckConstraint("length(reason) > 0", name="reason_required"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime]
    decided_by: Mapped[str] = mapped_column(Text, default="")


class Soccorso(Base):
    """*Soccorso istruttorio*: a request to complete administrative documents, with its deadline."""

    __tablename__ = "soccorso"
    __table_args__ = (
        CheckConstraint("outcome IN ('in_attesa', 'integrata', 'non_integrata')", name="soccorso_outcome"),
        CheckConstraint("deadline >= requested_on", name="deadline_after_request"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    requested_on: Mapped[date]
    deadline: Mapped[date]
    documents: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), default="in_attesa")
    closed_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")


class Scheda(Base):
    """One member's scoring sheet for one application: draft, then submitted (locked, hashed)."""

    __tablename__ = "scheda"
    __table_args__ = (
        UniqueConstraint("commissario_id", "domanda_id"),
        CheckConstraint("state IN ('bozza', 'inviata')", name="scheda_state"),
        CheckConstraint(
            "state = 'bozza' OR (submitted_at IS NOT NULL AND content_hash IS NOT NULL)", name="submitted_stamped"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"))
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    state: Mapped[str] = mapped_column(String(10), default="bozza")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=0)
    # Optimistic lock: every UPDATE says ``WHERE revision = <the one read>``; the services raise the
    # revision themselves at each change, so an edit made meanwhile by another session is never overwritten.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}
    voti: Mapped[list[Voto]] = relationship(
        back_populates="scheda", cascade="all, delete-orphan", order_by="Voto.sub_code"
    )


class Voto(Base):
    """One sub-criterion of a sheet: a coefficient (or direct points) and its written justification."""

    __tablename__ = "voto"
    __table_args__ = (
        UniqueConstraint("scheda_id", "sub_code"),
        CheckConstraint("CAST(value AS REAL) >= 0", name="value_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scheda_id: Mapped[int] = mapped_column(ForeignKey("scheda.id", ondelete="CASCADE"))
    sub_code: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal | None]
    motivazione: Mapped[str] = mapped_column(Text, default="")
    scheda: Mapped[Scheda] = relationship(back_populates="voti")


class Rinuncia(Base):
    """A funded applicant's renunciation or revocation: frees money for sliding the ranking."""

    __tablename__ = "rinuncia"
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"), unique=True)
    recorded_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


class Sorteggio(Base):
    """The result of a public draw among applications still tied after the tie chain."""

    __tablename__ = "sorteggio"
    id: Mapped[int] = mapped_column(primary_key=True)
    protocols_json: Mapped[str] = mapped_column(Text, unique=True)
    order_json: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")


class GraduatoriaVersion(Base):
    """An approved ranking, frozen with its parameters and a SHA-256 fingerprint of its content."""

    __tablename__ = "graduatoria"
    __table_args__ = (CheckConstraint("state IN ('provvisoria', 'definitiva')", name="graduatoria_state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(String(12))
    approved_at: Mapped[datetime]
    approved_by: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(64))
    content_json: Mapped[str] = mapped_column(Text)
    seduta_id: Mapped[int | None] = mapped_column(ForeignKey("seduta.id"))


class Seduta(Base):
    """A committee session, as the secretary records it; the minutes are printed from it."""

    __tablename__ = "seduta"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    day: Mapped[date]
    start_time: Mapped[str] = mapped_column(String(5), default="")
    end_time: Mapped[str] = mapped_column(String(5), default="")
    place: Mapped[str] = mapped_column(Text, default="")
    remote: Mapped[bool] = mapped_column(default=False)
    agenda: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    presenze: Mapped[list[Presenza]] = relationship(cascade="all, delete-orphan")


class Presenza(Base):
    __tablename__ = "presenza"
    __table_args__ = (UniqueConstraint("seduta_id", "commissario_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seduta_id: Mapped[int] = mapped_column(ForeignKey("seduta.id", ondelete="CASCADE"))
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"))
    present: Mapped[bool]


class Erogazione(Base):
    """A payment to a beneficiary (*erogazione*: advance, progress payment, balance) or a recovery of one."""

    __tablename__ = "erogazione"
    __table_args__ = (
        CheckConstraint("kind IN ('convenzione', 'pagamento')", name="erogazione_kind"),
        CheckConstraint("amount_cents > 0", name="erogazione_positive"),
        CheckConstraint("tipo IN ('anticipo', 'sal', 'saldo', 'recupero')", name="erogazione_tipo"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    # "pagamento" since schema 0004 (agreements have their own table; older "convenzione" rows were copied
    # there by that migration and stay here, unread, as the record of what was typed then).
    kind: Mapped[str] = mapped_column(String(12))
    on_day: Mapped[date]
    amount_cents: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    tipo: Mapped[str] = mapped_column(String(10), default="sal")
    act: Mapped[str] = mapped_column(Text, default="")


class Pacchetto(Base):
    """Offline packages exchanged with a member: outgoing sequence numbers and merged returns."""

    __tablename__ = "pacchetto"
    __table_args__ = (
        UniqueConstraint("commissario_id", "direction", "sequence"),
        CheckConstraint("direction IN ('uscita', 'ritorno')", name="pacchetto_direction"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"))
    direction: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int]
    content_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """Append-only log of every decision, chained by hash so that an edited or removed row shows."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(Text, default="")
    before_json: Mapped[str] = mapped_column(Text, default="null")
    after_json: Mapped[str] = mapped_column(Text, default="null")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))  # no unique index: the chain itself rules out a repeat (0012)


Index("ix_scheda_domanda", Scheda.domanda_id)
Index("ix_voto_valori", Voto.scheda_id, Voto.sub_code, Voto.value)  # covering: the ranking reads marks from it alone
Index("ix_audit_action", AuditRow.action)


class RuoloServer(Base):
    """On a committee server: the PostgreSQL login role of a member (``valutazione server member add``).

    The server's row-level policies find who is connected through this table; on a file it stays empty.
    A table of its own rather than a column of ``commissario``: that table's rows are sealed, and a new
    column would change the hash of every member already sealed.
    """

    __tablename__ = "ruolo_server"
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"), primary_key=True)
    db_role: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
