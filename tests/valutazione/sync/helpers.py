"""Builders for the offline tests: a chair's file, members scoring inside their package, dumps."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from tests.builders import Builder, confirmed_key, domanda, new_file, open_confirmed
from valutazione.bando import Bando
from valutazione.db import Database, open_database
from valutazione.models import Allegato, Blob, Domanda
from valutazione.services import conflicts, lookup, sheets
from valutazione.services.sheets import Mark
from valutazione.sync.keys import MemberKey, load_or_create_key
from valutazione.sync.merge import MergeReport, merge_return
from valutazione.sync.package import export_package
from valutazione.sync.returns import make_return

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

MEMBERS = (("Anna Rossi", "presidente"), ("Bruno Verdi", "componente"), ("Carla Neri", "componente"))
NAMES = tuple(name for name, _ in MEMBERS)
PROTOCOLS = ("P1", "P2", "P3", "P4")


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def motivazione(member: str, protocol: str, code: str) -> str:
    return f"Motivazione riservata di {member} su {protocol} ({code})"


def marks_for(bando: Bando, member: str, protocol: str, shift: int = 0) -> dict[str, Mark]:
    """Deterministic, different per member and application, so a mix-up would change the ranking."""
    values = [step.value for step in bando.scale if step.value >= Decimal("0.5")]
    return {
        sub.code: Mark(
            values[(len(member) + int(protocol[1:]) * 3 + i + shift) % len(values)],
            motivazione(member, protocol, sub.code),
        )
        for i, sub in enumerate(bando.subcriteria)
    }


def build_chair(path: Path | str, bando: Bando) -> Database:
    """Three scorers and a secretary, the scorers declared; P1 admissible, P2-P3 undecided, P4 excluded;
    Carla Neri in conflict on P2; P1 has an attachment (steps of tests/builders.py)."""
    db = new_file(path, bando)
    b = Builder(db).committee(MEMBERS, declare=True, declared_at=datetime(2018, 3, 2, 9, tzinfo=UTC))
    b.committee((("Dario Bianchi", "segretario"),))
    b.domande(domanda(protocol, minutes=i) for i, protocol in enumerate(PROTOCOLS, start=1))
    with db.sessions.begin() as s:
        data = b"%PDF-1.4 allegato di prova"
        sha = hashlib.sha256(data).hexdigest()
        s.add(Blob(sha256=sha, size=len(data), data=data))
        s.flush()
        s.add(Allegato(domanda_id=lookup.domanda_by_protocol(s, "P1").id, filename="progetto.pdf", sha256=sha))
    decisions = Builder(db, actor="Commissione")
    decisions.decide("P1", "ammissibile", "Requisiti verificati")
    decisions.decide("P4", "esclusa", "Progetto fuori dalle zone bersaglio")
    b.conflict("Carla Neri", "P2", "Parente nel consiglio direttivo")
    return db


def score(db: Database, member: str, submit: bool = True, shift: int = 0) -> list[str]:
    """The member scores every application assigned to them, through the core services."""
    done = []
    with db.sessions.begin() as s:
        bando = lookup.rules(s)
        m = lookup.member_by_name(s, member)
        for d in conflicts.assigned_domande(s, m.id):
            sheets.save_draft(s, m.id, d.id, marks_for(bando, member, d.protocol, shift))
            if submit:
                sheets.submit(s, m.id, d.id)
            done.append(d.protocol)
    return done


def export(db: Database, member: str, out: Path) -> Path:
    with db.sessions.begin() as s:
        return export_package(s, member, out).path


def work_offline(pkg: Path, member: str, submit: bool = True, shift: int = 0) -> None:
    """On the laptop: open the package (once) and score inside its database."""
    opened = open_confirmed(pkg)
    member_db = open_database(opened.path)
    try:
        score(member_db, member, submit, shift)
    finally:
        member_db.close()


def key_for(base: Path, member: str) -> MemberKey:
    return load_or_create_key(base / "chiavi" / slug(member))


def give_back(pkg: Path, out: Path, key: MemberKey) -> Path:
    return make_return(pkg, out, key).path


def merge(db: Database, path: Path, trust: bool = True) -> MergeReport:
    with db.sessions.begin() as s:
        return merge_return(s, path, confirmed_key(path) if trust else None)


def dump(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def sheet_states(db: Database) -> dict[tuple[str, str], tuple[str, int, str | None]]:
    from valutazione.models import Commissario, Scheda

    with db.sessions() as s:
        names = {m.id: m.name for m in s.scalars(select(Commissario))}
        protocols = {d.id: d.protocol for d in s.scalars(select(Domanda))}
        return {
            (names[sh.commissario_id], protocols[sh.domanda_id]): (sh.state, sh.revision, sh.content_hash)
            for sh in s.scalars(select(Scheda))
        }


def chair_signed(chair: Database, pkg: Path, out: Path, *, database: bytes | None = None, **changes: object) -> Path:
    """``pkg`` rewritten with its manifest changed (and database swapped) and signed again with the chair's
    own key: what only someone holding the chair's file could make, so the checks behind the signature run."""
    import base64
    import json
    import zipfile

    from valutazione.audit import canonical_json
    from valutazione.sync.chair_key import chair_key
    from valutazione.sync.manifest import CHAIR_SIGNATURE
    from valutazione.sync.package import DB_ENTRY, MANIFEST

    with zipfile.ZipFile(pkg) as zf:
        manifest = {**json.loads(zf.read(MANIFEST)), **changes}
        content = database if database is not None else zf.read(DB_ENTRY)
    if database is not None and "content_sha256" not in changes:
        manifest["content_sha256"] = hashlib.sha256(database).hexdigest()
    raw = canonical_json(manifest).encode("utf-8")
    with chair.sessions.begin() as s:
        signature = base64.b64encode(chair_key(s, "test").sign(raw)) + b"\n"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(MANIFEST, raw)
        zf.writestr(CHAIR_SIGNATURE, signature)
        zf.writestr(DB_ENTRY, content)
    return out


def entries(pkg: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(pkg) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite(pkg: Path, out: Path, content: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(out, "w") as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return out


def other_key() -> tuple[Ed25519PrivateKey, str]:
    """A key pair that is not the chair's (a forger's)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.generate()
    return private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def resigned(pkg: Path, out: Path, private: Ed25519PrivateKey, public_hex: str, **changes: object) -> Path:
    """The package with its manifest changed and signed again, validly, by another key (a forger's)."""
    import base64
    import json

    from valutazione.audit import canonical_json
    from valutazione.sync.manifest import CHAIR_SIGNATURE
    from valutazione.sync.package import MANIFEST

    content = entries(pkg)
    manifest = {**json.loads(content[MANIFEST]), "chair_public_key": public_hex, **changes}
    raw = canonical_json(manifest).encode("utf-8")
    content[MANIFEST] = raw
    content[CHAIR_SIGNATURE] = base64.b64encode(private.sign(raw)) + b"\n"
    return rewrite(pkg, out, content)
