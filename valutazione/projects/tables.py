"""The tables of a funded project's life: agreement, support plan and log, indicators, monitoring officers.

Payments stay in ``models.Erogazione`` (the table the first schema already had). Constraints in the schema
as everywhere: one agreement per application, positive amounts and hours, start before end.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from valutazione.models import Base, utcnow
from valutazione.projects.states import ACTIVE


class Convenzione(Base):
    """The grant agreement (*convenzione / atto di concessione*): signing makes its amount binding."""

    __tablename__ = "convenzione"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="convenzione_positive"),
        CheckConstraint("state IN ('attiva', 'revocata', 'rinunciata')", name="convenzione_state"),
        CheckConstraint("start_on <= end_on", name="convenzione_dates"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"), unique=True)
    signed_on: Mapped[date]
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    start_on: Mapped[date]
    end_on: Mapped[date]
    cup: Mapped[str] = mapped_column(String(15), default="")
    act: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    closed_on: Mapped[date | None]
    closed_reason: Mapped[str] = mapped_column(Text, default="")


class FaseAffiancamento(Base):
    """One phase of a project's tailored-support plan: the hours assigned and who gives them."""

    __tablename__ = "fase_affiancamento"
    __table_args__ = (
        UniqueConstraint("domanda_id", "name"),
        CheckConstraint("CAST(hours_planned AS REAL) > 0", name="fase_hours_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    name: Mapped[str] = mapped_column(Text)
    hours_planned: Mapped[Decimal]
    mentor: Mapped[str] = mapped_column(Text, default="")


class SessioneAffiancamento(Base):
    """Support actually given: one meeting, with the hours, the topic and what comes next."""

    __tablename__ = "sessione_affiancamento"
    __table_args__ = (CheckConstraint("CAST(hours AS REAL) > 0", name="sessione_hours_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    fase_id: Mapped[int] = mapped_column(ForeignKey("fase_affiancamento.id"))
    on_day: Mapped[date]
    hours: Mapped[Decimal]
    topic: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    over_plan_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndicatoreObiettivo(Base):
    """A project's baseline and target on one of the call's indicators."""

    __tablename__ = "indicatore_obiettivo"
    __table_args__ = (UniqueConstraint("domanda_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    code: Mapped[str] = mapped_column(String(20))
    baseline: Mapped[Decimal]
    target: Mapped[Decimal]


class IndicatoreValore(Base):
    """A value reported over time; the latest one by date is the project's current value."""

    __tablename__ = "indicatore_valore"
    __table_args__ = (UniqueConstraint("domanda_id", "code", "on_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    domanda_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    code: Mapped[str] = mapped_column(String(20))
    on_day: Mapped[date]
    value: Mapped[Decimal]
    note: Mapped[str] = mapped_column(Text, default="")


class Referente(Base):
    """A monitoring officer (*referente del monitoraggio*): not a committee member, no vote, no scores."""

    __tablename__ = "referente"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class CredenzialeReferente(Base):
    """A monitoring officer's password as a salted scrypt hash (as ``Credenziale`` for members).

    A table of its own rather than columns on ``referente``: that table is sealed row by row, and new
    columns would change the digest of every officer already recorded.
    """

    __tablename__ = "credenziale_referente"
    referente_id: Mapped[int] = mapped_column(ForeignKey("referente.id"), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(80))
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(128))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
