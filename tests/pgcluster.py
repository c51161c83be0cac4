"""A throw-away PostgreSQL cluster for the tests: initdb in a temporary folder, started on 127.0.0.1.

The server's binaries come from the distribution's package (``postgresql``, listed in
scripts/system-packages.txt, so ``.ci/run`` installs them). initdb and pg_ctl refuse to run as root, so
under root they run as the ``postgres`` system user in a folder that user owns; the tests keep running as
root and connect over TCP with a password (scram-sha-256) found by libpq in a ``PGPASSFILE`` written here,
exactly as a committee's chair would connect: the application refuses a password inside a URL.

The cluster is tuned for throw-away speed (no fsync): it holds test data only.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SUPERUSER = "valutazione_test"
BIN_ENV = "VALUTAZIONE_PG_BIN"
SKIP_ENV = "VALUTAZIONE_SENZA_POSTGRES"


class ClusterUnavailableError(RuntimeError):
    """The PostgreSQL binaries are missing or the cluster would not start."""


def default_candidates() -> list[str]:
    """$VALUTAZIONE_PG_BIN, then Debian's versioned folders (newest first), then PATH."""
    candidates = [os.environ.get(BIN_ENV, "")]
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(debian, key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0, reverse=True)
    on_path = shutil.which("initdb")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    return candidates


def find_bin_dir(candidates: list[str] | None = None) -> Path | None:
    """The first folder holding both ``initdb`` and ``pg_ctl``."""
    for folder in filter(None, default_candidates() if candidates is None else candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PgCluster:
    """A running cluster: ``url(name)`` for SQLAlchemy, ``conninfo(name)`` for psycopg, ``new_database()``."""

    bin_dir: Path
    root: Path
    port: int
    password: str
    passfile: Path
    host: str = "127.0.0.1"
    user: str = SUPERUSER
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str, *, user: str | None = None) -> str:
        """``postgresql://user@host:port/database``: no password in it, libpq reads PGPASSFILE."""
        return f"postgresql://{user or self.user}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str = "postgres", *, user: str | None = None) -> str:
        return f"host={self.host} port={self.port} dbname={database} user={user or self.user}"

    def connect(self, database: str = "postgres", *, user: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
        """A raw autocommit psycopg connection: the superuser's carries its password (whatever PGPASSFILE a
        test has set), another role's password comes from the passfile (``add_password``)."""
        password = {"password": self.password} if (user or self.user) == self.user else {}
        return psycopg.connect(self.conninfo(database, user=user), autocommit=True, **password)

    def new_database(self, prefix: str = "prova") -> str:
        """Creates an empty database (from template0) and returns its name."""
        name = f"{prefix}_{next(self._names)}_{secrets.token_hex(3)}"
        with self.connect() as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return name

    def clone(self, source: str, prefix: str = "copia") -> str:
        """A copy of database ``source`` (built once, e.g. a committee in a given state) for one test:
        PostgreSQL copies it as a template, far faster than building it again. Nobody may be connected
        to ``source`` meanwhile (close the Database first)."""
        name = f"{prefix}_{next(self._names)}_{secrets.token_hex(3)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return name

    def add_password(self, user: str, password: str) -> None:
        """Lets libpq find ``user``'s password (a member's role made by a test) as it finds ours."""
        with open(self.passfile, "a", encoding="utf-8") as fh:
            fh.write(f"{self.host}:{self.port}:*:{user}:{password}\n")

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        _run(self.bin_dir / "pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w")
        shutil.rmtree(self.root, ignore_errors=True)


def _as_owner(*argv: str | Path) -> list[str]:
    """initdb and pg_ctl refuse root: under root, run them as the ``postgres`` system user."""
    args = [str(a) for a in argv]
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(*argv: str | Path) -> None:
    done = subprocess.run(_as_owner(*argv), capture_output=True, text=True, check=False, cwd="/")
    if done.returncode != 0:
        raise ClusterUnavailableError(f"{' '.join(map(str, argv[:2]))} non riuscito:\n{done.stdout}\n{done.stderr}")


def start_cluster(candidates: list[str] | None = None) -> PgCluster:
    """initdb + pg_ctl start in a fresh temporary folder; the caller must ``stop()`` it."""
    bin_dir = find_bin_dir(candidates)
    if bin_dir is None:
        raise ClusterUnavailableError(
            "PostgreSQL non è installato (initdb e pg_ctl non trovati): installare il pacchetto «postgresql» "
            f"(scripts/setup.sh lo fa), indicarne la cartella in {BIN_ENV}, oppure impostare {SKIP_ENV}=1 "
            "per saltare consapevolmente i test sul server."
        )
    root = Path(tempfile.mkdtemp(prefix="valutazione-pg-"))
    try:
        return _init_and_start(bin_dir, root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _init_and_start(bin_dir: Path, root: Path) -> PgCluster:
    password = secrets.token_urlsafe(18)
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    os.chmod(root, 0o700)
    os.chmod(pwfile, 0o600)
    data = root / "data"
    _run(
        bin_dir / "initdb",
        "-D",
        data,
        "-U",
        SUPERUSER,
        "--pwfile",
        pwfile,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    )
    pwfile.unlink()
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off "
    options += "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    _run(bin_dir / "pg_ctl", "start", "-D", data, "-l", root / "server.log", "-w", "-o", options)
    passfile = Path(tempfile.mkdtemp(prefix="valutazione-pgpass-")) / "pgpass"
    passfile.write_text(f"127.0.0.1:{port}:*:{SUPERUSER}:{password}\n", encoding="utf-8")
    os.chmod(passfile, 0o600)
    return PgCluster(bin_dir, root, port, password, passfile)


@contextlib.contextmanager
def running_cluster() -> Iterator[PgCluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.passfile.parent, ignore_errors=True)
