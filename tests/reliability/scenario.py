"""Realistic committee files for the reliability suite, built through the services (never by raw SQL).

Shared by the pytest process and by the crash runner (a separate interpreter), so it imports no
pytest. Names and motivazioni carry unique tokens, so a scan for leaks cannot hit by coincidence.
"""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.builders import Builder, domanda, open_confirmed
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import Domanda
from valutazione.services import committee, sheets
from valutazione.services.sheets import Mark

CHAIR, BRUNO, CARLA, SECRETARY = "Anna Rossi", "Bruno Verdi", "Carla Neri", "Dario Bianchi"
MEMBERS = ((CHAIR, "presidente"), (BRUNO, "componente"), (CARLA, "componente"), (SECRETARY, "segretario"))
SCORERS = (CHAIR, BRUNO, CARLA)
HEADER = (
    "Protocollo;Data invio;Denominazione;Forma giuridica;Codice fiscale;Partita IVA;Legale rappresentante;PEC;"
    "Titolo progetto;Zona;Costo totale;Contributo richiesto;Cofinanziamento;Durata mesi;Abstract;Allegati"
).split(";")
# Legal representatives: natural persons whose names must never be published.
REPRESENTATIVES = ("Ermenegilda Quarantotti", "Gianfilippo Zappacosta", "Ottavina Brambillasca")
NATURAL_PERSON = ("Ildebranda Scorzafava", "SCRLDB80A41F205X")  # an applicant who is a person


def motivazione(member: str, protocol: str, code: str) -> str:
    """A justification with a token unique to its author, so a leak of it is unmistakable."""
    tag = member.split()[0].upper()
    return f"Giudizio {tag}-RISERVATO su {protocol} {code}: coerente con la griglia."


def add_committee(s: Session) -> dict[str, int]:
    ids = {name: committee.add_member(s, name, role, "test").id for name, role in MEMBERS}
    for member_id in ids.values():
        committee.declare_general(s, member_id)
    return ids


def application_rows(count: int, *, person_at: int | None = None) -> list[dict[str, Any]]:
    """``count`` admissible-looking applications; ``person_at`` makes one applicant a natural person."""
    rows = []
    for i in range(1, count + 1):
        applicant, tax_code = f"Associazione Quartiere {i} APS", f"97{i:09d}"
        if person_at == i:
            applicant, tax_code = NATURAL_PERSON
        rows.append(
            domanda(
                f"PG {100 + i}/2018",
                minutes=i,
                applicant=applicant,
                title=f"Progetto di comunità n. {i}",
                tax_code=tax_code,
                legal_representative=REPRESENTATIVES[i % len(REPRESENTATIVES)],
                total_cost_cents=5_000_000,
                grant_cents=4_000_000 + 10_000 * i,
                cofinancing_cents=1_000_000 - 10_000 * i,
            )
        )
    return rows


def committee_file(db: Database, domande: int, *, person_at: int | None = None) -> dict[str, int]:
    """Members declared, applications stored and declared admissible (tests/builders.py steps); member ids."""
    built = Builder(db).committee(MEMBERS, declare=True).domande(application_rows(domande, person_at=person_at))
    Builder(db, actor=CHAIR).admit_all("Requisiti formali verificati.")
    return built.members


def coefficient(rng: random.Random, bando: Bando) -> Decimal:
    steps = [step.value for step in bando.scale if step.value >= Decimal("0.5")]
    return rng.choice(steps)


def score_everything(db: Database, ids: dict[str, int], bando: Bando, seed: int, submit: bool = True) -> None:
    """Every scorer fills (and optionally submits) every sheet; one transaction per member."""
    rng = random.Random(seed)
    with db.sessions() as s:
        domande = [(d.id, d.protocol) for d in s.query(Domanda).order_by(Domanda.id)]
    for name in SCORERS:
        with db.sessions.begin() as s:
            for domanda_id, protocol in domande:
                marks = {
                    sub.code: Mark(coefficient(rng, bando), motivazione(name, protocol, sub.code))
                    for sub in bando.subcriteria
                }
                sheets.save_draft(s, ids[name], domanda_id, marks)
                if submit:
                    sheets.submit(s, ids[name], domanda_id)


def applications_csv(path: Path, first: int, count: int, bando: Bando) -> Path:
    """A platform export in the reference format with ``count`` readable applications."""
    zones = [z.name for z in bando.zones]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(first, first + count):
        grant = 30_000 + (i * 37) % 15_000
        cofin = 6_000 + (i * 11) % 3_000
        writer.writerow(
            [
                f"PG {i}/2018",
                f"{1 + i % 27:02d}/02/2018 {9 + i % 8:02d}:{i % 60:02d}",
                f"Cooperativa Sociale Numero {i}",
                "Cooperativa sociale",
                f"{80000000000 + i:011d}",
                "",
                REPRESENTATIVES[i % 3],
                f"coop{i}@pec.it",
                f"Progetto {i} di innovazione sociale",
                zones[i % len(zones)],
                _euro(grant + cofin),
                _euro(grant),
                _euro(cofin),
                "24",
                f"Abstract del progetto {i}.",
                "",
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _euro(amount: int) -> str:
    """Italian format, as the platform exports it: ``36.000,00``."""
    return f"{amount:,}".replace(",", ".") + ",00"


def offline_round(work: Path, bando: Bando) -> tuple[Path, list[Path]]:
    """A chair's file that exported packages to Bruno and Carla, and the signed returns of their work.

    Each laptop has its own key under ``work/chiavi-<name>``; half of each member's sheets are submitted.
    """
    from valutazione.db import create_database, open_database
    from valutazione.services import lookup
    from valutazione.sync.keys import load_or_create_key
    from valutazione.sync.package import export_package
    from valutazione.sync.returns import make_return

    path = work / "presidente.valutazione"
    db = create_database(path, bando)
    committee_file(db, 8)
    packages = {}
    with db.sessions.begin() as s:
        for name in (BRUNO, CARLA):
            packages[name] = export_package(s, name, work / f"{name.split()[0].lower()}.valpkg").path
    db.close()
    returns = []
    rng = random.Random(3)
    for name, pkg in packages.items():
        tag = name.split()[0].lower()
        laptop = work / f"portatile-{tag}"
        member_db = open_database(open_confirmed(pkg, laptop).path)
        with member_db.sessions.begin() as s:
            me = lookup.member_by_name(s, name)
            for i, d in enumerate(s.query(Domanda).order_by(Domanda.id).all()):
                marks = {
                    sub.code: Mark(coefficient(rng, bando), motivazione(name, d.protocol, sub.code))
                    for sub in bando.subcriteria
                }
                sheets.save_draft(s, me.id, d.id, marks)
                if i % 2 == 0:
                    sheets.submit(s, me.id, d.id)
        member_db.close()
        key = load_or_create_key(work / f"chiavi-{tag}")
        returns.append(make_return(pkg, work / f"{tag}.valret", key=key, workdir=laptop).path)
    return path, returns


Execute = Callable[[str], Iterable[tuple[Any, ...]]]


def logical_digest(execute: Execute) -> str:
    """A fingerprint of everything committed: schema and every row of every table, in rowid order.

    Works on a raw ``sqlite3`` connection and inside a SQLAlchemy transaction alike (both go through the
    same driver), so a child can fingerprint its transaction just before committing it.
    """
    import hashlib

    h = hashlib.sha256()
    tables = [
        (str(name), str(sql))
        for name, sql in execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    for name, sql in tables:
        h.update(f"\x00table {name} {sql}\x00".encode())
        for row in execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
            h.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """``logical_digest`` of a file on disk (opening it read-write lets SQLite recover a hot WAL)."""
    con = sqlite3.connect(path)
    try:
        return logical_digest(lambda sql: con.execute(sql).fetchall())
    finally:
        con.close()


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def integrity(path: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    rows: int
    message: str


def chain_of(path: Path) -> ChainCheck:
    """``audit.verify_chain`` on a plain engine: no writer lock, no migration, any schema revision."""
    from sqlalchemy import create_engine

    from valutazione.audit import verify_chain

    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as s:
            report = verify_chain(s)
    finally:
        engine.dispose()
    return ChainCheck(report.ok, report.rows, report.message)
