"""The one builder of committee files for every suite: a real SQLite file on disk, in a given state.

Two ways in, one implementation:

- ``committee_file(path, State.SUBMITTED)`` drives the Milan call and the sample applications in
  ``resources/demo/`` up to a state of the procedure (empty, imported, admissibility decided, drafts,
  submitted, ranked, approved provisional or definitive), with four members by default;
- ``Builder(db)`` exposes the same steps one by one, for a suite that needs its own members, its own
  applications or one decision of its own (a conflict, an exclusion) on the way.

Every step goes through the services (``valutazione.services``), one transaction per step, as the GUI and
the CLI do; only the applications of a synthetic call are inserted as rows, since the platform's CSV is the
only other way in and a suite testing the ranking needs exact amounts and times. No pytest and no Qt here:
the reliability suite's crash runner (a separate interpreter) builds its files with it too.

Two builders stay apart, on purpose: ``benchmarks/generate.py`` writes 20,000 applications with bulk inserts
(through the services it would take longer than the benchmarks it feeds; ``tests/benchmarks`` checks its
files against the services' results), and ``tests/test_readme_walkthrough.py`` builds its file by typing the
README's commands, which is what it tests.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from valutazione.bando import Bando, default_template, load_bando
from valutazione.db import Database, create_database
from valutazione.importers.attachments import split_attachments
from valutazione.importers.domande import import_domande
from valutazione.models import Domanda, Flag
from valutazione.services import admissibility, committee, conflicts, lookup, rules, scores_csv, sheets
from valutazione.services import ranking as ranking_service
from valutazione.services.sheets import Mark

if TYPE_CHECKING:
    from valutazione.sync.package import OpenedPackage

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"
SAMPLE = DEMO / "domande-esempio.csv"
SAMPLE_SCORES = DEMO / "punteggi-esempio.csv"
MEMBERS = (
    ("Anna Rossi", "presidente"),
    ("Bruno Bianchi", "componente"),
    ("Carla Verdi", "componente"),
    ("Dario Neri", "segretario"),
)


class State(IntEnum):
    """The stages of the procedure, in order: a file in one state has gone through every earlier one."""

    EMPTY = 0  # the call's rules only
    IMPORTED = 1  # the sample applications and the committee
    ADMISSIBILITY = 2  # general declarations signed, every application admitted or excluded
    DRAFTS = 3  # every scorer's sheet saved as a draft
    SUBMITTED = 4  # every sheet submitted
    RANKED = 5  # the ranking computes with no blocking reason left (ties drawn)
    PROVISIONAL = 6  # ranking approved as provisional (version 1)
    DEFINITIVE = 7  # and approved as definitive (version 2)


@dataclasses.dataclass
class CommitteeFile:
    """What a test gets: the file's path, plus the ids a test would otherwise look up again."""

    path: Path | str  # a server database's URL when built on PostgreSQL
    members: dict[str, int] = dataclasses.field(default_factory=dict)


def domanda(protocol: str, minutes: int = 0, grant_cents: int = 4_000_000, **fields: Any) -> dict[str, Any]:
    """The fields of one synthetic application; ``fields`` override the defaults (``flags`` = rule names)."""
    return {
        "protocol": protocol,
        "submitted_at": datetime(2018, 2, 1, 9, tzinfo=UTC) + timedelta(minutes=minutes),
        "applicant": f"Ente {protocol}",
        "title": f"Progetto {protocol}",
        "tax_code": "97000000000",
        "total_cost_cents": grant_cents * 2,
        "grant_cents": grant_cents,
        "cofinancing_cents": grant_cents,
        **fields,
    }


def steady_marks(bando: Bando, member: str, protocol: str) -> dict[str, Mark]:
    """Deterministic marks, different per member and application, each with its motivazione."""
    values = [step.value for step in bando.scale if step.value >= Decimal("0.5")]
    seed = sum(map(ord, member)) + sum(map(ord, protocol)) * 3
    return {
        sub.code: Mark(values[(seed + i) % len(values)], f"Giudizio di {member} su {protocol} ({sub.code}).")
        for i, sub in enumerate(bando.subcriteria)
    }


MarksFor = Callable[[Bando, str, str], Mapping[str, Mark]]


class Builder:
    """The steps of the procedure on an open file; each call is one transaction, and returns the builder."""

    def __init__(self, db: Database, actor: str = "test") -> None:
        self.db = db
        self.actor = actor
        self.members: dict[str, int] = {}
        with db.sessions() as s:
            self.bando = lookup.rules(s)

    # -- the call and its applications ------------------------------------------------------------------
    def budget(self, cents: int) -> Builder:
        with self.db.sessions.begin() as s:
            rules.update_rules(s, self.actor, dataclasses.replace(lookup.rules(s), budget_cents=cents))
            self.bando = lookup.rules(s)
        return self

    def sample(self, source: Path = SAMPLE, *, attachments: Path | None = None, skip_invalid: bool = True) -> Builder:
        """The platform's export imported as the chair does (unreadable rows skipped, as the GUI offers)."""
        with self.db.sessions.begin() as s:
            import_domande(s, source, allegati=attachments, skip_invalid=skip_invalid, actor=self.actor)
        return self

    def domande(self, rows: Iterable[Mapping[str, Any]]) -> Builder:
        """Synthetic applications (see ``domanda``), with their import flags."""
        with self.db.sessions.begin() as s:
            for row in rows:
                fields = dict(row)
                flags = [Flag(rule=r, detail=f"segnalazione {r}") for r in fields.pop("flags", ())]
                s.add(Domanda(**fields, flags=flags))
        return self

    # -- the committee ----------------------------------------------------------------------------------
    def committee(
        self,
        members: Sequence[tuple[str, str]] = MEMBERS,
        *,
        declare: bool = False,
        declared_at: datetime | None = None,
        appointment: tuple[str, date | None] | None = None,
    ) -> Builder:
        with self.db.sessions.begin() as s:
            added = {name: committee.add_member(s, name, role, self.actor).id for name, role in members}
            if declare:
                for member_id in added.values():
                    committee.declare_general(s, member_id, at=declared_at)
            if appointment is not None:
                committee.set_appointment(s, appointment[0], appointment[1], self.actor)
        self.members.update(added)
        return self

    def declare(self, names: Iterable[str] | None = None) -> Builder:
        """General declarations of ``names`` (default: every member added through this builder)."""
        with self.db.sessions.begin() as s:
            for name in self.members if names is None else names:
                committee.declare_general(s, self.members[name])
        return self

    def conflict(self, member: str, protocol: str, reason: str) -> Builder:
        with self.db.sessions.begin() as s:
            conflicts.declare(s, self.members[member], lookup.domanda_by_protocol(s, protocol).id, True, reason)
        return self

    # -- admissibility ----------------------------------------------------------------------------------
    def decide(self, protocol: str, outcome: str, reason: str) -> Builder:
        with self.db.sessions.begin() as s:
            admissibility.decide(s, lookup.domanda_by_protocol(s, protocol).id, outcome, reason, self.actor)
        return self

    def admit_all(
        self, reason: str = "Requisiti formali verificati", *, excluded: Collection[str] | None = None
    ) -> Builder:
        """Unflagged applications admitted in one act; each flagged one decided for its flags: excluded
        (all of them, or only the protocols in ``excluded``), the others admitted."""
        with self.db.sessions.begin() as s:
            admissibility.mark_all_admissible(s, self.actor, reason)
            for c in admissibility.checklist(s):
                if c.outcome is None:
                    out = excluded is None or c.protocol in excluded
                    outcome = admissibility.ESCLUSA if out else admissibility.AMMISSIBILE
                    detail = "; ".join(d for _, d in c.flags) or reason
                    admissibility.decide(s, c.domanda_id, outcome, detail, self.actor)
        return self

    # -- scoring ----------------------------------------------------------------------------------------
    def scores(self, source: Path = SAMPLE_SCORES) -> Builder:
        """Paper sheets typed in through the scores CSV import (drafts)."""
        with self.db.sessions.begin() as s:
            scores_csv.import_scores(s, source, self.actor)
        return self

    def drafts(self, marks: MarksFor = steady_marks, *, submit: bool = False) -> Builder:
        """Every scorer fills every sheet they may score (conflicts skipped); one transaction per member."""
        with self.db.sessions() as s:
            scorers = [(m.id, m.name) for m in committee.scoring_members(s)]
        for member_id, name in scorers:
            with self.db.sessions.begin() as s:
                for d in conflicts.assigned_domande(s, member_id):
                    sheets.save_draft(s, member_id, d.id, marks(self.bando, name, d.protocol))
                    if submit:
                        sheets.submit(s, member_id, d.id)
        return self

    def submit_all(self) -> Builder:
        with self.db.sessions.begin() as s:
            for m in committee.scoring_members(s):
                sheets.submit_all_complete(s, m.id)
        return self

    # -- the ranking ------------------------------------------------------------------------------------
    def draw_ties(self) -> Builder:
        """Records a draw, in protocol order, for every tie that would block a final ranking."""
        with self.db.sessions.begin() as s:
            for tie in ranking_service.compute(s).ranking.unresolved_ties:
                ranking_service.record_draw(s, sorted(tie.protocols), self.actor, "Sorteggio di prova")
        return self

    def approve(self, state: str, reason: str = "Approvazione di prova", seduta_id: int | None = None) -> Builder:
        with self.db.sessions.begin() as s:
            ranking_service.approve(s, state, self.actor, reason, seduta_id)
        return self


def proposal_pdf(path: Path, protocol: str, title: str, applicant: str) -> None:
    """A two-page proposal PDF, so that page navigation and search have something to find."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(60, 780, f"Proposta progettuale {protocol}")
    pdf.setFont("Helvetica", 12)
    pdf.drawString(60, 750, title)
    pdf.drawString(60, 730, f"Soggetto proponente: {applicant}")
    pdf.drawString(60, 700, "1. Bisogni del quartiere e obiettivi del progetto.")
    pdf.showPage()
    pdf.setFont("Helvetica", 12)
    pdf.drawString(60, 780, "2. Piano economico e cofinanziamento.")
    pdf.drawString(60, 760, "Sostenibilita: modello di ricavi dopo il contributo.")
    pdf.showPage()
    pdf.save()


def attachments_folder(folder: Path, source: Path = SAMPLE) -> Path:
    """The PDFs the sample's rows name, written as readable two-page proposals."""
    folder.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            for name in split_attachments(row.get("Allegati") or ""):
                if name.lower().endswith(".pdf") and not (folder / name).exists():
                    proposal_pdf(folder / name, row["Protocollo"], row["Titolo progetto"], row["Denominazione"])
    return folder


def new_file(path: Path | str, bando: Bando | None = None) -> Database:
    """A new committee file (or server database, given its URL) with the call's rules only
    (``State.EMPTY``), left open for the caller."""
    return create_database(path, bando or load_bando(default_template()))


def committee_file(
    path: Path | str,
    state: State,
    *,
    bando: Bando | None = None,
    members: Sequence[tuple[str, str]] = MEMBERS,
    attachments: bool = False,
    marks: MarksFor = steady_marks,
    folder: Path | None = None,
) -> CommitteeFile:
    """The Milan call with the sample applications, driven to ``state``; the file is closed on return.

    ``path`` may be a server database's URL; then the attachments are prepared in ``folder``.
    """
    db = new_file(path, bando)
    try:
        b = Builder(db)
        if state >= State.IMPORTED:
            beside = folder or (path.parent if isinstance(path, Path) else Path.cwd())
            found = attachments_folder(beside / "allegati") if attachments else None
            b.sample(attachments=found).committee(members)
        if state >= State.ADMISSIBILITY:
            b.declare().admit_all()
        if state >= State.DRAFTS:
            b.drafts(marks, submit=state >= State.SUBMITTED)
        if state >= State.RANKED:
            b.draw_ties()
        if state >= State.PROVISIONAL:
            b.approve(ranking_service.PROVISIONAL, "Graduatoria provvisoria di prova")
        if state >= State.DEFINITIVE:
            b.approve(ranking_service.FINAL, "Graduatoria definitiva di prova")
        return CommitteeFile(path, dict(b.members))
    finally:
        db.close()


@contextmanager
def written_before_seals(monkeypatch: Any) -> Iterator[None]:
    """Writes as the versions before seals did: no seal rows, no check before writing.

    For building files of an older schema in the upgrade tests; ``monkeypatch`` is pytest's fixture.
    """
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from valutazione import db as dbmod
    from valutazione import seals
    from valutazione.seals import rows

    monkeypatch.setattr(dbmod.Database, "_guard_writes", lambda *_args: None)
    monkeypatch.setattr(seals, "require_intact", lambda _s: None)
    event.remove(Session, "after_flush", rows._collect)
    event.remove(Session, "after_flush_postexec", rows._seal)
    try:
        yield
    finally:
        event.listen(Session, "after_flush", rows._collect)
        event.listen(Session, "after_flush_postexec", rows._seal)
        monkeypatch.undo()


def confirmed_key(ret: Path, passphrase: str | None = None) -> str | None:
    """The fingerprint a chair confirms for a return's key after comparing it with its member (as the import
    dialog shows it); None when the file cannot be read, which the merge refuses before any key."""
    from valutazione.errors import ValutazioneError
    from valutazione.sync.keys import fingerprint
    from valutazione.sync.returns import read_return

    try:
        return fingerprint(read_return(ret, passphrase).public_key)
    except ValutazioneError:
        return None


def chair_fingerprint(pkg: Path, passphrase: str | None = None) -> str | None:
    """The fingerprint of the chair key a package names, as a member compares it with the chair's at the
    first package; None when the manifest cannot be read (the opening then refuses for its own reason)."""
    from valutazione.errors import ValutazioneError
    from valutazione.sync.keys import fingerprint
    from valutazione.sync.package import read_manifest

    try:
        return fingerprint(read_manifest(pkg, passphrase).chair_public_key)
    except ValutazioneError:
        return None


def open_confirmed(pkg: Path, workdir: Path | None = None, passphrase: str | None = None) -> OpenedPackage:
    """The package opened as a member does, the chair key's fingerprint compared and confirmed."""
    from valutazione.sync.package import open_package

    return open_package(pkg, workdir, passphrase, trusted_key=chair_fingerprint(pkg, passphrase))
