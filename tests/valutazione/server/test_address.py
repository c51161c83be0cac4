"""Server addresses as typed by a chair, and the test cluster's refusal to be silently missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pgcluster import SKIP_ENV, ClusterUnavailableError, start_cluster
from valutazione.cli.common import target
from valutazione.errors import DatabaseError
from valutazione.server.url import ServerAddress, is_server_url


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("postgresql://presidente@db.comune.example/bando_mi331e", ("db.comune.example", 5432, "bando_mi331e")),
        ("postgres://presidente@10.0.0.5:6543/bando", ("10.0.0.5", 6543, "bando")),
        ("postgresql+psycopg://presidente@db/b%C3%A8", ("db", 5432, "bè")),
    ],
)
def test_address_read_as_typed(typed: str, expected: tuple[str, int, str]) -> None:
    """An address gives host, port (5432 by default) and database; printed back without any password."""
    address = ServerAddress.parse(typed)
    assert (address.host, address.port, address.database) == expected
    assert address.user == "presidente"
    assert str(address).startswith("postgresql://presidente@")


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("postgresql://presidente:segreta@db/bando", "contiene una password"),
        ("postgresql://presidente@db", "non indica il database"),
        ("postgresql://db/bando", "non indica l'utente"),
        ("postgresql://presidente@db:porta/bando", "porta"),
        ("postgresql://presidente@db/bando?sslmode=disable", "parametri non previsti"),
        ("mysql://presidente@db/bando", "non è l'indirizzo di un server PostgreSQL"),
    ],
)
def test_bad_address_refused_in_italian(typed: str, refusal: str) -> None:
    """A malformed address is refused naming what is wrong (and a password is never accepted)."""
    with pytest.raises(DatabaseError, match=refusal):
        ServerAddress.parse(typed)


def test_command_line_keeps_a_url_as_text() -> None:
    """FILE arguments keep a URL intact (a Path would fold its «//»), and a file name stays a path."""
    assert target("postgresql://p@db/bando") == "postgresql://p@db/bando"
    assert target("bando.valutazione") == Path("bando.valutazione")
    assert is_server_url("postgresql://p@db/bando") and not is_server_url(Path("postgresql://p@db/bando"))


def test_missing_postgresql_is_a_clear_failure(tmp_path: Path) -> None:
    """Without initdb/pg_ctl the test cluster fails naming the package and the opt-out variable."""
    with pytest.raises(ClusterUnavailableError, match=f"postgresql.*{SKIP_ENV}=1"):
        start_cluster([str(tmp_path)])
