"""Log rows a member writes in their own name with psql: the server takes only those the member's role may
write and, for the rows the minutes and the seals' check read as facts, only true ones.

The minutes (valutazione/reports/verbale_data.py) print an admissibility decision, a reopening, a draw,
an approval from the log row alone, without its author; the seals' check takes a send, a reopening or a
rules' hash from the log as the truth the data must match. A forged one would put a decision nobody took
into the signed minutes, or make the committee's intact data read as tampered (and stop every approval,
export and merge, since they all require intact seals), with no way back: the log is append-only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select

from tests.builders import MEMBERS, Builder, new_file
from tests.pgcluster import PgCluster
from tests.server.conftest import CONFLICTED, Committee
from valutazione import audit, seals
from valutazione.bando import Bando
from valutazione.db import opened
from valutazione.models import BandoRow, utcnow
from valutazione.server import roles
from valutazione.services import conflicts

INSERT_AUDIT = (
    "INSERT INTO audit (at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _log(conn: psycopg.Connection[Any], actor: str, action: str, entity: str, entity_id: str, after: Any) -> None:
    """Appends one well-chained, well-hashed row: only the server's rules on its content can refuse it."""
    row = conn.execute("SELECT audit_head FROM bando").fetchone()
    assert row is not None
    head, at = str(row[0]), utcnow()
    after_json = after if isinstance(after, str) else audit.canonical_json(after)
    digest = audit.row_hash(head, at, actor, action, entity, entity_id, "null", after_json)
    stored_at = at.isoformat(timespec="microseconds")
    conn.execute(INSERT_AUDIT, (stored_at, actor, action, entity, entity_id, "null", after_json, head, digest))
    conn.execute("UPDATE bando SET audit_head = %s", (digest,))  # as the application moves it


def _accepted(c: Committee, member: str, action: str, entity: str, entity_id: str, after: Any) -> bool:
    """Whether the server takes the row (always rolled back: the shared committee is not changed)."""
    with c.connect(member) as conn:
        try:
            with conn.transaction(force_rollback=True):
                _log(conn, member, action, entity, entity_id, after)
            return True
        except errors.InsufficientPrivilege:
            return False


def _protocol(c: Committee, domanda_id: int) -> str:
    with c.owner() as owner:
        row = owner.execute("SELECT protocol FROM domanda WHERE id = %s", (domanda_id,)).fetchone()
    assert row is not None
    return str(row[0])


DECISION = {"esito": "non_ammissibile", "motivo": "Documentazione mancante"}


@pytest.mark.parametrize(
    ("member", "action", "after", "allowed"),
    [
        ("Carla Verdi", "ammissibilita.decisa", DECISION, False),
        ("Dario Neri", "ammissibilita.decisa", DECISION, True),
        ("Anna Rossi", "ammissibilita.decisa", DECISION, True),
        ("Carla Verdi", "rinuncia.registrata", {"motivo": "Rinuncia del beneficiario"}, False),
        ("Carla Verdi", "sorteggio.registrato", {"ordine": ["A", "B"], "nota": ""}, False),
        ("Carla Verdi", "soccorso.richiesto", {"documenti": "DURC", "scadenza": "2026-02-01"}, False),
        ("Dario Neri", "graduatoria.approvata", {"stato": "definitiva", "versione": 1}, False),
        ("Carla Verdi", "graduatoria.approvata", {"stato": "definitiva", "versione": 1}, False),
        ("Anna Rossi", "graduatoria.approvata", {"stato": "definitiva", "versione": 1}, True),
        ("Bruno Bianchi", "pacchetto.esportato", {"commissario": "Bruno Bianchi", "domande": []}, False),
        ("Anna Rossi", "pacchetto.ritorno.importato", {"commissario": "Bruno Bianchi", "ritorno": "0" * 64}, False),
        ("Anna Rossi", "pacchetto.creato", {"sequenza": 1}, False),
        ("Carla Verdi", "domanda.lotto", {"lotto": "L1", "motivo": "Linea indicata nel modulo"}, False),
        ("Anna Rossi", "domanda.lotto", {"lotto": "L1", "motivo": "Linea indicata nel modulo"}, True),
        ("Carla Verdi", "conflitto.astensione_ritirata", {"commissario": "Carla Verdi", "motivo": "Errore"}, False),
        ("Anna Rossi", "conflitto.astensione_ritirata", {"commissario": "Carla Verdi", "motivo": "Errore"}, False),
        ("Carla Verdi", "prova.annotazione", {"nota": "una riga qualsiasi a proprio nome"}, True),
    ],
)
def test_a_decision_is_logged_only_by_the_roles_that_take_it(
    committee: Committee, member: str, action: str, after: Any, allowed: bool
) -> None:
    """A decision's log row (printed in the minutes without its author) only from a role that takes it."""
    protocol = _protocol(committee, committee.domande[0])
    assert _accepted(committee, member, action, "domanda", protocol, after) is allowed


def _sheet(c: Committee, member: str, index: int) -> tuple[int, str | None, str]:
    with c.owner() as owner:
        row = owner.execute(
            "SELECT s.id, s.content_hash, d.protocol FROM scheda s JOIN domanda d ON d.id = s.domanda_id "
            "WHERE s.commissario_id = %s AND s.domanda_id = %s",
            (c.members[member], c.domande[index]),
        ).fetchone()
    assert row is not None
    return int(row[0]), row[1], str(row[2])


def _sent(member: str, protocol: str, digest: str | None) -> dict[str, Any]:
    return {"bando": "X", "commissario": member, "protocollo": protocol, "voti": [], "hash": digest}


def test_a_send_is_logged_only_for_ones_own_sent_sheet_with_its_hash(committee: Committee) -> None:
    """«scheda.inviata» only on one's own submitted sheet, carrying its stored hash and application."""
    bruno_sent, bruno_hash, protocol = _sheet(committee, "Bruno Bianchi", 0)
    carla_draft, _, _ = _sheet(committee, "Carla Verdi", 0)
    assert bruno_hash is not None
    # Carla cannot say Bruno's sheet was sent with another hash (his intact sheet would read as tampered)
    assert not _accepted(committee, "Carla Verdi", "scheda.inviata", "scheda", str(bruno_sent), _sent("", "", "0" * 64))
    # nor that her own draft was sent
    sent = _sent("Carla Verdi", protocol, "1" * 64)
    assert not _accepted(committee, "Carla Verdi", "scheda.inviata", "scheda", str(carla_draft), sent)
    # Bruno himself: only his sheet's true hash, on its own application
    assert not _accepted(
        committee,
        "Bruno Bianchi",
        "scheda.inviata",
        "scheda",
        str(bruno_sent),
        _sent("Bruno Bianchi", protocol, "2" * 64),
    )
    other = _protocol(committee, committee.domande[2])
    assert not _accepted(
        committee,
        "Bruno Bianchi",
        "scheda.inviata",
        "scheda",
        str(bruno_sent),
        _sent("Bruno Bianchi", other, bruno_hash),
    )
    # a second "hash" key that JSON readers resolve differently from the seals' check
    twice = json.dumps({"hash": bruno_hash, "protocollo": protocol}).replace(
        '{"hash"', '{"hash": "' + "3" * 64 + '", "hash"'
    )
    assert not _accepted(committee, "Bruno Bianchi", "scheda.inviata", "scheda", str(bruno_sent), twice)
    true_send = _sent("Bruno Bianchi", protocol, bruno_hash)
    assert _accepted(committee, "Bruno Bianchi", "scheda.inviata", "scheda", str(bruno_sent), true_send)


def test_a_reopening_is_logged_only_by_the_chair(committee: Committee) -> None:
    """«scheda.riaperta» (which the seals' check and the minutes believe) only from the chair."""
    bruno_sent, _, protocol = _sheet(committee, "Bruno Bianchi", 0)
    after = {"stato": "bozza", "commissario": "Bruno Bianchi", "protocollo": protocol, "motivo": "Errore"}
    for member in ("Carla Verdi", "Dario Neri", "Bruno Bianchi"):
        assert not _accepted(committee, member, "scheda.riaperta", "scheda", str(bruno_sent), after), member
    assert _accepted(committee, "Anna Rossi", "scheda.riaperta", "scheda", str(bruno_sent), after)


def test_the_rules_hash_logged_is_the_stored_rules_hash(committee: Committee) -> None:
    """A rules' lock or change carries the hash of the rules as stored; a change only from the chair."""
    with committee.owner() as owner:
        row = owner.execute("SELECT code, rules_json FROM bando").fetchone()
    assert row is not None
    code, true_hash = str(row[0]), hashlib.sha256(str(row[1]).encode("utf-8")).hexdigest()
    lock = "bando.regole_bloccate"
    assert not _accepted(committee, "Carla Verdi", lock, "bando", code, {"bloccate": True, "sha256": "4" * 64})
    assert not _accepted(
        committee, "Carla Verdi", lock, "bando", code, '{"sha256": "' + true_hash + '", "sha256": "5"}'
    )
    assert _accepted(committee, "Carla Verdi", lock, "bando", code, {"bloccate": True, "sha256": true_hash})
    change = "bando.regole_modificate"
    assert not _accepted(committee, "Dario Neri", change, "bando", code, {"modifiche": {}, "sha256": true_hash})
    assert not _accepted(committee, "Anna Rossi", change, "bando", code, {"modifiche": {}, "sha256": "6" * 64})
    assert _accepted(committee, "Anna Rossi", change, "bando", code, {"modifiche": {}, "sha256": true_hash})


@pytest.mark.parametrize(
    ("entity", "entity_id", "after"),
    [
        ("ammissibilita", "x1", {"sha256": "7" * 64}),  # read back as int(entity_id): every check would crash
        ("scheda", "1", {"sha256": "7" * 64}),  # not a sealed table
        ("ammissibilita", "1", {"sha256": "7" * 64, "nota": "eliminata"}),  # read as a deletion by its spelling
        ("ammissibilita", "1", '{"sha256": "' + "7" * 64 + '"}'),  # not the application's spelling
    ],
)
def test_a_seal_is_logged_only_as_the_application_spells_it(
    committee: Committee, entity: str, entity_id: str, after: Any
) -> None:
    """A «sistema» seal the seals' check could not read, or would misread, is refused."""
    with committee.connect("Carla Verdi") as conn:
        with pytest.raises(errors.InsufficientPrivilege), conn.transaction(force_rollback=True):
            _log(conn, "sistema", "sigillo", entity, entity_id, after)
        with pytest.raises(errors.InsufficientPrivilege), conn.transaction(force_rollback=True):
            _log(conn, "Carla Verdi", "sigillo", "ammissibilita", "1", {"sha256": "7" * 64})  # a seal is «sistema»'s
        with conn.transaction(force_rollback=True):
            _log(conn, "sistema", "sigillo", "ammissibilita", "999999", {"eliminata": True})


def test_a_seal_is_logged_only_of_a_row_the_same_transaction_wrote(committee: Committee) -> None:
    """A seal by a login only of a row its transaction has just written, or removed: not of an approved
    ranking (which nobody may write again) nor of a decision someone else took."""
    with committee.owner() as owner:
        ranking = owner.execute("SELECT id FROM graduatoria ORDER BY id LIMIT 1").fetchone()
        decision = owner.execute("SELECT id FROM ammissibilita ORDER BY id LIMIT 1").fetchone()
    assert ranking is not None and decision is not None
    forged = [("graduatoria", ranking[0], {"eliminata": True}), ("graduatoria", ranking[0], {"sha256": "9" * 64})]
    forged.append(("ammissibilita", decision[0], {"sha256": "9" * 64}))
    for member in ("Carla Verdi", "Dario Neri"):
        with committee.connect(member) as conn:
            for table, row_id, after in forged:
                with pytest.raises(errors.InsufficientPrivilege), conn.transaction(force_rollback=True):
                    _log(conn, "sistema", "sigillo", table, str(row_id), after)
    with committee.connect("Dario Neri") as conn, conn.transaction(force_rollback=True):
        conn.execute("UPDATE ammissibilita SET reason = reason WHERE id = %s", decision)
        _log(conn, "sistema", "sigillo", "ammissibilita", str(decision[0]), {"sha256": "9" * 64})


def test_rows_the_minutes_read_are_json_objects(committee: Committee) -> None:
    """Every row a login writes is JSON, and a row the minutes print is an object (else they would not print)."""
    protocol = _protocol(committee, committee.domande[0])
    with committee.connect("Carla Verdi") as conn:
        with pytest.raises(errors.InvalidTextRepresentation), conn.transaction(force_rollback=True):
            _log(conn, "Carla Verdi", "prova.annotazione", "domanda", protocol, "{non è json")
    assert _accepted(committee, "Carla Verdi", "prova.annotazione", "domanda", protocol, ["non", "un", "oggetto"])
    conflicted = _protocol(committee, committee.domande[CONFLICTED[1]])
    assert not _accepted(committee, "Carla Verdi", "conflitto.dichiarato", "domanda", conflicted, ["motivo"])
    assert _accepted(committee, "Carla Verdi", "conflitto.dichiarato", "domanda", conflicted, {"motivo": "Parente"})


def test_a_members_own_statements_in_the_minutes_are_what_the_tables_hold(committee: Committee) -> None:
    """«conflitto.dichiarato» (the minutes: «dichiara un conflitto … e si astiene») only on an application
    where the member's conflict is recorded; «dichiarazione.resa» only with the member's declaration."""
    free, conflicted = committee.domande[0], committee.domande[CONFLICTED[1]]
    reason = {"commissario": "Carla Verdi", "conflitto": True, "motivo": "Parente"}
    claim = _protocol(committee, free)
    assert not _accepted(committee, "Carla Verdi", "conflitto.dichiarato", "domanda", claim, reason)
    assert _accepted(
        committee, "Carla Verdi", "conflitto.dichiarato", "domanda", _protocol(committee, conflicted), reason
    )
    carla, bruno = committee.members["Carla Verdi"], committee.members["Bruno Bianchi"]
    made = {"testo": "Dichiaro", "data": "2026-01-10"}
    assert not _accepted(committee, "Carla Verdi", "dichiarazione.resa", "commissario", str(bruno), made)
    assert _accepted(committee, "Carla Verdi", "dichiarazione.resa", "commissario", str(carla), made)


def test_every_action_the_minutes_print_is_checked() -> None:
    """The minutes' actions are all among those the server requires as objects (a new one must be added)."""
    from valutazione.reports.verbale_data import REPORTED_ACTIONS
    from valutazione.server.log_rows import OBJECTS

    assert set(REPORTED_ACTIONS) <= set(OBJECTS)


def test_a_reopening_row_must_reopen_the_sheet_by_commit(committee: Committee) -> None:
    """The chair's «scheda.riaperta» that does not reopen the sheet in the same transaction is refused."""
    bruno_sent, _, protocol = _sheet(committee, "Bruno Bianchi", 0)
    after = {"stato": "bozza", "commissario": "Bruno Bianchi", "protocollo": protocol, "motivo": "Errore"}
    with committee.connect("Anna Rossi") as conn:
        with pytest.raises(errors.RaiseException, match="non la riapre"), conn.transaction():
            _log(conn, "Anna Rossi", "scheda.riaperta", "scheda", str(bruno_sent), after)
        assert conn.execute("SELECT state FROM scheda WHERE id = %s", (bruno_sent,)).fetchone() == ("inviata",)


def test_a_rules_lock_row_must_lock_the_rules_by_commit(pg_server: PgCluster, milano: Bando) -> None:
    """«bando.regole_bloccate» is refused unless the same transaction locks the rules (as the application does)."""
    database = pg_server.new_database("blocco")
    url = pg_server.url(database)
    try:
        db = new_file(url, milano)
        try:
            Builder(db).sample().committee(MEMBERS).declare()
            with db.sessions() as s:
                assert s.scalar(select(BandoRow.rules_locked_at)) is None  # nothing opened or decided yet
        finally:
            db.close()
        roles.init(url)
        password = secrets.token_urlsafe(16)
        login = roles.add_member(url, "Carla Verdi", password, login=f"carla_{secrets.token_hex(3)}")
        pg_server.add_password(login, password)
        with psycopg.connect(pg_server.conninfo(database, user=login), autocommit=True) as conn:
            rules = conn.execute("SELECT code, rules_json FROM bando").fetchone()
            assert rules is not None
            after = {"bloccate": True, "sha256": hashlib.sha256(str(rules[1]).encode("utf-8")).hexdigest()}
            with pytest.raises(errors.RaiseException, match="non le blocca"), conn.transaction():
                _log(conn, "Carla Verdi", "bando.regole_bloccate", "bando", str(rules[0]), after)
            with conn.transaction():  # the row, then the lock and the head, as ``rules.lock_rules`` writes them
                _log(conn, "Carla Verdi", "bando.regole_bloccate", "bando", str(rules[0]), after)
                conn.execute("UPDATE bando SET rules_locked_at = %s", (utcnow().isoformat(timespec="microseconds"),))
        with opened(url, read_only=True) as owner_db, owner_db.sessions() as s:
            assert seals.verify_file(s).ok
    finally:
        pg_server.drop_database(database)


def test_the_chair_cannot_take_a_colleagues_name_to_sign_as_them(committee: Committee) -> None:
    """A login signs as its member's current name: the chair may not give himself a name that already signs
    the log (rename Bruno, take «Bruno Bianchi», write as him), nor change anyone's role."""
    anna = committee.members["Anna Rossi"]
    with committee.connect("Anna Rossi") as conn:
        with pytest.raises(errors.RaiseException, match="firma già righe"), conn.transaction(force_rollback=True):
            conn.execute("UPDATE commissario SET name = 'Bruno Bianchi (vecchio)' WHERE name = 'Bruno Bianchi'")
            conn.execute("UPDATE commissario SET name = 'Bruno Bianchi' WHERE id = %s", (anna,))
        with pytest.raises(errors.RaiseException, match="ruolo"), conn.transaction(force_rollback=True):
            conn.execute("UPDATE commissario SET role = 'segretario' WHERE name = 'Carla Verdi'")
        with conn.transaction(force_rollback=True):  # a name never used in the log: an ordinary correction
            assert conn.execute(
                "UPDATE commissario SET name = 'Carla Verdi Bianchi' WHERE name = 'Carla Verdi'"
            ).rowcount


def test_a_sealed_write_is_signed_by_who_makes_it(committee: Committee) -> None:
    """The secretary's change of an admissibility outcome, sealed but with no row in his name in the same
    transaction, is refused at commit; with his row (as the application writes it) it goes through."""
    with committee.owner() as owner:
        decision = owner.execute("SELECT id, outcome FROM ammissibilita ORDER BY id LIMIT 1").fetchone()
    assert decision is not None
    change = "UPDATE ammissibilita SET outcome = 'esclusa' WHERE id = %s"
    seal = {"sha256": "9" * 64}
    named = {"esito": "esclusa", "motivo": "Documentazione mancante"}
    with committee.connect("Dario Neri") as conn:
        with pytest.raises(errors.RaiseException, match="non accompagna alcuna operazione"):
            with conn.transaction(force_rollback=True):
                conn.execute(change, (decision[0],))
                _log(conn, "sistema", "sigillo", "ammissibilita", str(decision[0]), seal)
                conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks at commit, run now
        with conn.transaction(force_rollback=True):
            conn.execute(change, (decision[0],))
            _log(conn, "sistema", "sigillo", "ammissibilita", str(decision[0]), seal)
            _log(conn, "Dario Neri", "ammissibilita.decisa", "domanda", "PG 1", named)
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_member_declares_a_conflict_through_the_application(fresh_committee: Callable[[], Committee]) -> None:
    """Through the application, on the member's own login, a conflict's declaration still goes through."""
    c = fresh_committee()
    carla = c.members["Carla Verdi"]
    with opened(c.member_url("Carla Verdi")) as db, db.sessions.begin() as s:
        conflicts.declare(s, carla, c.domande[3], True, "Socio del legale rappresentante")
    with opened(c.url, read_only=True) as db, db.sessions() as s:
        assert seals.verify_file(s).ok


def test_a_sheet_is_sent_only_with_its_send_in_the_log(committee: Committee) -> None:
    """A draft turned «inviata» by hand, with no «scheda.inviata» in the same transaction, is refused at
    commit (it would read as tampered and stop every approval); with its send it goes through."""
    draft, _, protocol = _sheet(committee, "Carla Verdi", 0)
    submit = "UPDATE scheda SET state = 'inviata', submitted_at = updated_at, content_hash = %s WHERE id = %s"
    with committee.connect("Carla Verdi") as conn:
        with pytest.raises(errors.RaiseException, match="senza il suo invio"), conn.transaction(force_rollback=True):
            conn.execute(submit, ("a" * 64, draft))
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with conn.transaction(force_rollback=True):
            conn.execute(submit, ("a" * 64, draft))
            _log(conn, "Carla Verdi", "scheda.inviata", "scheda", str(draft), _sent("Carla Verdi", protocol, "a" * 64))
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
