"""Seals on every decisive fact of a committee's file, and their verification.

«Integro» must mean that every outcome still follows from what the members submitted under the rules the
committee locked. The audit chain (``valutazione.audit``) proves the order of the logged events; the seals
tie the stored data to those events:

- a submitted sheet: its content hash recomputed from the stored marks, equal to the stored and the
  logged hash (``seals.sheets``);
- the call's rules: hashed when locked and at every later change, compared (``seals.rules``);
- every decisive row (conflicts, admissibility, *soccorso*, draws, renunciations, sessions and
  presences, payments, members and their keys, declarations, approved versions): re-read and compared
  with the hash its last log row carries (``seals.rows``, ``seals.tables``);
- every approved ranking version: recomputed from its frozen inputs, fingerprint compared
  (``seals.versions``);
- every sheet merged from a member's return: still what the member signed (``seals.signatures``).

``verify_seals`` runs them all (after the chain) and lists every broken object; ``require_intact`` is
called before approving, exporting, packaging and merging, and by the database's write guard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from valutazione import audit, collector
from valutazione.models import AuditRow, BandoRow, Scheda
from valutazione.seals import elsewhere, memo
from valutazione.seals.logscan import LogScan
from valutazione.seals.report import BrokenSeal, BrokenSealError, when_it
from valutazione.seals.rows import SEALED_TABLES
from valutazione.seals.rules import check_rules
from valutazione.seals.sheets import SheetFacts, check_sheets
from valutazione.seals.signatures import check_signed_returns
from valutazione.seals.tables import check_tables

__all__ = ["BrokenSeal", "BrokenSealError", "SealReport", "require_intact", "verify_seals", "when_it"]

PACKAGE_ACTION = "pacchetto.creato"  # a member's file, built from the chair's: its copied sheets were sent there


@dataclass(frozen=True)
class SealReport:
    chain: audit.ChainReport
    broken: tuple[BrokenSeal, ...]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.broken

    @property
    def first(self) -> BrokenSeal | None:
        return self.broken[0] if self.broken else None

    @property
    def message(self) -> str:
        if self.ok:
            return f"{self.chain.message} Sigilli integri: schede, regole, decisioni e graduatorie approvate."
        return f"Sigillo violato. {self.broken[0].message}"


def verify_file(
    session: Session,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SealReport:
    """The chain, then every seal; ``progress(done, total)`` over log rows, sheets and sealed rows.

    Large approved versions start recomputing in a second process first (``seals.elsewhere``), beside
    the chain and the sheets; a version whose answer cannot be used is recomputed here afterwards. The
    cyclic collector is paused meanwhile (``collector``): the hundreds of thousands of sends, seals and
    marks it keeps hold no cycles, and walking them again and again was a tenth of the check.
    """
    from valutazione.seals import versions  # the ranking engine: only when verifying

    with session.no_autoflush, collector.paused():
        other = versions.start_elsewhere(session)
        try:
            return _verify(session, progress, cancelled, other)
        finally:
            if other is not None:
                other.stop()


def _verify(
    session: Session,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    other: elsewhere.Recheck | None,
) -> SealReport:
    from valutazione.seals.versions import check_versions

    rows = session.scalar(select(func.count(AuditRow.id))) or 0
    sheets = session.scalar(select(func.count(Scheda.id))) or 0
    sealed = sum(session.scalar(select(func.count()).select_from(m)) or 0 for m in SEALED_TABLES.values())
    total = rows + sheets + sealed
    done = [rows]

    def tick(n: int) -> None:
        done[0] += n
        if cancelled is not None and cancelled():
            raise audit.VerificationCancelled()
        if progress is not None:
            progress(min(done[0], total), total)

    scan = LogScan()
    chain = audit.verify_chain(session, lambda d, _t: progress(d, total) if progress else None, cancelled, scan)
    broken: list[BrokenSeal] = []
    if not chain.ok:
        broken.append(BrokenSeal("registro", "Registro delle operazioni", chain.message))
    broken.extend(check_rules(session))
    code = session.scalar(select(BandoRow.code)) or ""
    is_package = session.scalar(select(AuditRow.id).where(AuditRow.action == PACKAGE_ACTION).limit(1)) is not None
    facts = SheetFacts()
    if scan.complete:
        facts.logged_by_hash.update(scan.logged_by_hash)
    broken.extend(check_sheets(session, code, is_package, facts, tick, scan.events if scan.complete else None))
    broken.extend(check_tables(session, tick, scan.seals if scan.complete else None))
    broken.extend(check_signed_returns(session))
    broken.extend(check_versions(session, facts, tick, other))
    return SealReport(chain, tuple(broken))


def verify_seals(session: Session) -> list[BrokenSeal]:
    """Every broken object of the file (the chain included), in the order they were found."""
    return list(verify_file(session).broken)


def require_intact(session: Session) -> None:
    """Refuses (``BrokenSealError``, naming the first broken object) unless every seal holds.

    A file this connection already found intact, and that no other connection has written since, is not
    verified again (``seals.memo``): a merge of five returns or a second export no longer pays it again.
    """
    if memo.seen(session):
        return
    before = memo.data_version(session)
    report = verify_file(session)
    if not report.ok:
        raise BrokenSealError(list(report.broken))
    memo.remember(session, before, report)
