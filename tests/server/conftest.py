"""A committee on the test cluster with the server's rules installed and a login role per member."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tests.builders import MEMBERS, Builder, new_file, steady_marks
from tests.pgcluster import PgCluster
from valutazione.bando import Bando
from valutazione.db import Database
from valutazione.models import Ammissibilita, Domanda
from valutazione.server import roles
from valutazione.services import sheets

CONFLICTED = ("Carla Verdi", 1)  # Carla declares a conflict on the second application (index 1)
CHAIR_CONFLICTED = ("Anna Rossi", 3)  # and the chair on the fourth, where Bruno has submitted


@dataclass
class Committee:
    """The committee's database, the owner's connection, each member's login role."""

    cluster: PgCluster
    database: str
    url: str
    logins: dict[str, str]  # member name → login role
    members: dict[str, int]
    domande: list[int]  # ids in protocol order

    def owner(self) -> psycopg.Connection[tuple[object, ...]]:
        return self.cluster.connect(self.database)

    def connect(self, member: str) -> psycopg.Connection[tuple[object, ...]]:
        """A raw psycopg connection as the member's own login role (password from PGPASSFILE)."""
        return psycopg.connect(self.cluster.conninfo(self.database, user=self.logins[member]), autocommit=True)

    def member_url(self, member: str) -> str:
        return self.cluster.url(self.database, user=self.logins[member])


def make_committee(cluster: PgCluster, milano: Bando, *, fill: bool = False) -> Committee:
    """Sample call, committee, declarations, one conflict, every sheet a draft, some submitted; then init."""
    database = cluster.new_database("politiche")
    url = cluster.url(database)
    db = new_file(url, milano)
    try:
        b = Builder(db).sample().committee(MEMBERS).declare()
        b.admit_all()
        protocols = _protocols(db)
        for name, index in (CONFLICTED, CHAIR_CONFLICTED):
            b.conflict(name, protocols[index], "Parente del legale rappresentante")
        b.drafts(steady_marks)
        with db.sessions.begin() as s:
            ids = _domanda_ids(s)
            # The first application: Anna (chair) and Bruno submit, Carla's is a draft; the third: everyone
            # has submitted (the secretary may see it); the fourth: Bruno submits, the chair is in conflict.
            for name, index in (("Anna Rossi", 0), ("Bruno Bianchi", 0), ("Bruno Bianchi", 3)):
                sheets.submit(s, b.members[name], ids[index])
            for name in ("Anna Rossi", "Bruno Bianchi", "Carla Verdi"):
                sheets.submit(s, b.members[name], ids[2])
        members = dict(b.members)
    finally:
        db.close()
    roles.init(url)
    suffix = secrets.token_hex(3)
    logins = {}
    for name, _role in MEMBERS:
        password = secrets.token_urlsafe(16)
        login = roles.add_member(url, name, password, login=f"{roles.default_role_name(name)}_{suffix}")
        cluster.add_password(login, password)
        logins[name] = login
    if fill:  # rows written past the application carry no seal: for the raw probes only
        _fill_empty_tables(cluster, database, members, ids)
    return Committee(cluster, database, url, logins, members, ids)


def _fill_empty_tables(cluster: PgCluster, database: str, members: dict[str, int], ids: list[int]) -> None:
    """One row (two where a conflict matters) in each table the procedure so far has left empty, written
    by the owner straight in SQL: the probes need a row to try, not a procedure that produced it."""
    d0, d1 = ids[0], ids[CONFLICTED[1]]
    anna, carla = members["Anna Rossi"], members["Carla Verdi"]
    at = "2026-01-10T10:00:00.000000+00:00"
    statements = [
        *(
            f"INSERT INTO blob VALUES ('{sha}', 4, '\\x00010203'); "
            f"INSERT INTO allegato (domanda_id, filename, sha256) VALUES ({d}, 'prova-{d}.pdf', '{sha}')"
            for d, sha in ((d0, "a" * 64), (d1, "b" * 64))
        ),
        "INSERT INTO blob VALUES ('" + "c" * 64 + "', 1, '\\x00')",
        f"INSERT INTO flag (domanda_id, rule, detail) VALUES ({d0}, 'prova', 'segnalazione'), "
        f"({d1}, 'prova', 'segnalazione')",
        f"INSERT INTO convenzione (domanda_id, signed_on, amount_cents, reason, start_on, end_on, cup, act, state, "
        f"closed_reason) VALUES ({d0}, '2026-01-01', 100, '', '2026-01-01', '2026-12-31', 'CUP1', 'atto', "
        "'attiva', '')",
        f"INSERT INTO credenziale VALUES ({anna}, 'scrypt:n=16384,r=8,p=1', '00', '00', '{at}'), "
        f"({carla}, 'scrypt:n=16384,r=8,p=1', '01', '01', '{at}')",
        f"INSERT INTO erogazione (domanda_id, kind, on_day, amount_cents, note) VALUES ({d0}, 'pagamento', "
        "'2026-02-01', 100, '')",
        f"INSERT INTO fase_affiancamento (domanda_id, name, hours_planned, mentor) VALUES ({d0}, 'Avvio', '10', 'M')",
        f"INSERT INTO graduatoria (version, state, approved_at, approved_by, reason, fingerprint, content_json) "
        f"VALUES (1, 'provvisoria', '{at}', 'Anna Rossi', 'prova', '{'f' * 64}', '{{}}')",
        f"INSERT INTO indicatore_obiettivo (domanda_id, code, baseline, target) VALUES ({d0}, 'I1', '0', '1')",
        f"INSERT INTO indicatore_valore (domanda_id, code, on_day, value, note) "
        f"VALUES ({d0}, 'I1', '2026-03-01', '1', '')",
        f"INSERT INTO pacchetto (commissario_id, direction, sequence, content_sha256, at) "
        f"VALUES ({carla}, 'uscita', 1, '{'d' * 64}', '{at}')",
        "INSERT INTO referente (name) VALUES ('Referente di prova')",
        f"INSERT INTO credenziale_referente SELECT id, 'scrypt:n=16384,r=8,p=1', '02', '02', '{at}' FROM referente",
        *(
            f"INSERT INTO confronto (commissario_id, sub_code, domanda_a_id, domanda_b_id, preferred, degree, "
            f"recorded_at) VALUES ({m}, 'A.1', {d0}, {d1}, 'a', 'moderata', '{at}')"
            for m in (anna, carla)
        ),
        f"INSERT INTO chiave_presidente (public_key, private_pem, created_at) VALUES ('{'e' * 64}', 'PEM', '{at}')",
        f"INSERT INTO rinuncia (domanda_id, recorded_at, reason) VALUES ({d0}, '{at}', 'prova')",
        f"INSERT INTO seduta (number, day, start_time, end_time, place, remote, agenda, notes, opened_at) VALUES "
        f"(1, '2026-01-10', '10:00', '12:00', 'Sala', false, '', '', '{at}')",
        f"INSERT INTO presenza (seduta_id, commissario_id, present) SELECT id, {anna}, true FROM seduta",
        f"INSERT INTO sessione_affiancamento (domanda_id, fase_id, on_day, hours, topic, notes, next_steps, "
        f"over_plan_reason, recorded_at) SELECT {d0}, id, '2026-03-01', '2', 'T', '', '', '', '{at}' "
        "FROM fase_affiancamento",
        f"INSERT INTO soccorso (domanda_id, requested_on, deadline, documents, outcome, note) VALUES ({d0}, "
        "'2026-01-01', '2026-01-11', 'DURC', 'in_attesa', '')",
        f"INSERT INTO sorteggio (protocols_json, order_json, recorded_at, note) VALUES ('[]', '[]', '{at}', '')",
    ]
    with cluster.connect(database) as owner:
        for statement in statements:
            for part in statement.split("; "):
                owner.execute(part)


def _admitted(s: Session) -> Select[tuple[int, str]]:
    return (
        select(Domanda.id, Domanda.protocol)
        .join(Ammissibilita, Ammissibilita.domanda_id == Domanda.id)
        .where(Ammissibilita.outcome == "ammissibile")
        .order_by(Domanda.protocol)
    )


def _protocols(db: Database) -> list[str]:
    """The admitted applications' protocols, in order (the conflicts and sheets are placed on them)."""
    with db.sessions() as s:
        return [p for _, p in s.execute(_admitted(s))]


def _domanda_ids(s: Session) -> list[int]:
    return [i for i, _ in s.execute(_admitted(s))]


@pytest.fixture(scope="session")
def committee(pg_server: PgCluster, milano: Bando) -> Iterator[Committee]:
    """One committee for the read-only probes (each probe rolls its writes back)."""
    c = make_committee(pg_server, milano, fill=True)
    yield c
    pg_server.drop_database(c.database)


@pytest.fixture
def fresh_committee(pg_server: PgCluster, milano: Bando) -> Iterator[Callable[[], Committee]]:
    """A committee of its own for a test that commits."""
    made: list[Committee] = []

    def make() -> Committee:
        made.append(make_committee(pg_server, milano))
        return made[-1]

    yield make
    for c in made:
        pg_server.drop_database(c.database)
