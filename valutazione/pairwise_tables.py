"""The members' pairwise comparisons as stored (schema 0007): one row per member, sub-criterion and pair.

The pair is stored with the lower application id first (``a``), the preference as ``a``, ``b`` or none for
parity, the degree as an exact decimal; ``valutazione.pairwise`` turns them into coefficients.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from valutazione.models import Base, utcnow


class Confronto(Base):
    __tablename__ = "confronto"
    __table_args__ = (
        UniqueConstraint("commissario_id", "sub_code", "domanda_a_id", "domanda_b_id"),
        CheckConstraint("domanda_a_id < domanda_b_id", name="confronto_pair_ordered"),
        CheckConstraint("preferred IS NULL OR preferred IN ('a', 'b')", name="confronto_preferred"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    commissario_id: Mapped[int] = mapped_column(ForeignKey("commissario.id"))
    sub_code: Mapped[str] = mapped_column(String(20))
    domanda_a_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    domanda_b_id: Mapped[int] = mapped_column(ForeignKey("domanda.id"))
    preferred: Mapped[str | None] = mapped_column(String(1))
    degree: Mapped[Decimal]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
