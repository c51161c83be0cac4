"""No value of a manifest reaches a path unchecked: strict identifiers, bounded names, an Italian refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.builders import open_confirmed
from tests.valutazione.sync.helpers import chair_signed, export
from valutazione.cli import main
from valutazione.db import Database
from valutazione.errors import ValutazioneError
from valutazione.paths import user_data_dir
from valutazione.sync.manifest import Manifest, PackageIdentity, working_folder
from valutazione.sync.package import read_manifest

MEMBER = "Bruno Verdi"


def everything_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")} if root.exists() else set()


HOSTILE = [
    pytest.param({"file_uuid": "../../../../fuori"}, "file_uuid", id="uuid-path"),
    pytest.param({"file_uuid": "0" * 36}, "file_uuid", id="uuid-not-canonical"),
    pytest.param({"file_uuid": "ABCDEF01-2345-4789-8bcd-ef0123456789"}, "file_uuid", id="uuid-upper"),
    pytest.param({"member_name": "Bruno\x00Verdi"}, "caratteri di controllo", id="name-nul"),
    pytest.param({"bando_code": "B\x00"}, "caratteri di controllo", id="code-nul"),
    pytest.param({"member_name": "B" * 10_000}, "troppo lungo", id="name-10k"),
    pytest.param({"member_name": "B" * 100_000}, "«manifest.json» è troppo grande", id="manifest-over-64k"),
    pytest.param({"bando_code": "X" * 65}, "troppo lungo", id="code-65"),
    pytest.param({"member_name": ""}, "non è un testo", id="name-empty"),
    pytest.param({"member_name": ["Bruno"]}, "non è un testo", id="name-list"),
    pytest.param({"sequence": 10**30}, "numero intero positivo", id="sequence-huge"),
    pytest.param({"sequence": True}, "numero intero positivo", id="sequence-bool"),
    pytest.param({"member_id": "2"}, "numero intero positivo", id="member-id-text"),
    pytest.param({"created_at": "2018-03-02T09:00:00"}, "fuso orario", id="naive-date"),
    pytest.param({"content_sha256": "../" * 20}, "SHA-256", id="digest-path"),
]


@pytest.mark.parametrize(("changes", "said"), HOSTILE)
def test_hostile_manifest_value_is_refused_in_italian(
    chair: Database, tmp_path: Path, changes: dict[str, object], said: str
) -> None:
    """A signed manifest with a path, a NUL, an over-long or mistyped value: a message, nothing written."""
    genuine = export(chair, MEMBER, tmp_path / "vero.valpkg")
    hostile = chair_signed(chair, genuine, tmp_path / "ostile.valpkg", **changes)
    before = everything_under(tmp_path) | everything_under(user_data_dir())
    for attempt in (read_manifest, open_confirmed):
        with pytest.raises(ValutazioneError, match=said) as refused:
            attempt(hostile)
        assert "non è un pacchetto di valutazione utilizzabile" in str(refused.value)
        assert len(str(refused.value)) < 400  # the hostile value itself is not echoed back
    assert everything_under(tmp_path) | everything_under(user_data_dir()) == before


@pytest.mark.parametrize(("changes", "said"), [HOSTILE[0], HOSTILE[3], HOSTILE[5]])
def test_cli_refuses_hostile_manifest_without_traceback(
    chair: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict[str, object], said: str
) -> None:
    """`package open` of such a package: exit 2, the Italian reason, no traceback."""
    genuine = export(chair, MEMBER, tmp_path / "vero.valpkg")
    hostile = chair_signed(chair, genuine, tmp_path / "ostile.valpkg", **changes)
    assert main(["package", "open", str(hostile)]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_names_become_one_bounded_folder_inside_the_data_folder() -> None:
    """Dots, slashes and very long names map to one folder each, always under the laptop's data folder."""
    base = (user_data_dir() / "valutazioni").resolve()
    hostile = Manifest(
        "../../..",
        "8c1f6b0e-2a7d-4c4e-9d3a-1b2c3d4e5f60",
        1,
        "../" * 60 + "é" * 150,
        1,
        datetime.now(UTC),
        "0" * 64,
        "0" * 64,
    )
    folder = working_folder(hostile)
    assert folder.resolve().is_relative_to(base) and len(folder.relative_to(base).parts) == 2
    assert all(len(part.encode("utf-8")) <= 120 for part in folder.relative_to(base).parts)
    assert working_folder(PackageIdentity("B-1", hostile.file_uuid, "Bruno Verdi", 1)).name == "Bruno-Verdi"


def test_identity_with_a_bad_uuid_never_becomes_a_path() -> None:
    """A working file's identity naming a path instead of a UUID is refused in Italian."""
    with pytest.raises(ValutazioneError, match="file del presidente valido"):
        working_folder(PackageIdentity("B", "../../etc", "Bruno", 1))


def test_very_long_package_name_still_opens(chair: Database, tmp_path: Path) -> None:
    """A package saved under a 240-character name opens; its working file's name is shortened to fit."""
    pkg = export(chair, MEMBER, tmp_path / ("p" * 240 + ".valpkg"))
    opened = open_confirmed(pkg)
    assert opened.created and len(opened.path.name.encode()) <= 255
    assert not open_confirmed(pkg).created  # found again under the same shortened name
