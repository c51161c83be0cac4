"""The contract every reader of outside data must keep, checked the same way by fuzzing and the corpus.

Any input gives either a result or a ``ValutazioneError`` (a message the user can read), never another
exception type, a hang, or a half-written database: on refusal the file's content is unchanged.
"""

from __future__ import annotations

import signal
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.builders import confirmed_key, open_confirmed
from tests.reliability import scenario
from valutazione.bando import bando_from_json, parse_bando
from valutazione.db import Database
from valutazione.errors import ValutazioneError

HANG_SECONDS = 20
CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class KnownDefect:
    """A crash found by fuzzing and reported to the owner; its input is kept in ``corpus/``.

    ``where`` is an application frame (``path:function``) the crash goes through, ``exception`` its type. While the
    defect is open its corpus file is a strict xfail, and fuzzing counts (rather than fails on) the same
    crash, so one known bug does not hide the next. When the owner fixes it, the strict xfail turns red:
    then delete the entry here.
    """

    corpus: str
    exception: str
    where: str
    reason: str


KNOWN_DEFECTS: tuple[KnownDefect, ...] = ()


def app_frames(exc: BaseException) -> list[str]:
    """``path:function`` of every frame inside ``valutazione/`` the exception went through, outermost first."""
    import traceback

    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        marker = frame.filename.find("/valutazione/")
        if marker >= 0 and "/tests/" not in frame.filename:
            frames.append(f"{frame.filename[marker + 1 :]}:{frame.name}")
    return frames


def known_defect(exc: BaseException) -> KnownDefect | None:
    for defect in KNOWN_DEFECTS:
        if type(exc).__name__ == defect.exception and defect.where in app_frames(exc):
            return defect
    return None


class Hang(Exception):
    """A reader ran for longer than any input of this size can justify."""


@contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Interrupts the block with ``Hang`` after ``seconds`` (SIGALRM; the tests run in the main thread)."""

    def _alarm(_signum: int, _frame: Any) -> None:
        raise Hang(f"nessuna risposta dopo {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    message: str


def in_transaction(db: Database, work: Callable[[Any], object]) -> Outcome:
    """Runs ``work(session)`` as one user action; a refusal must leave the file's content untouched."""
    before = scenario.file_digest(db.path)
    try:
        with no_hang(), db.sessions.begin() as s:
            work(s)
    except ValutazioneError as exc:
        assert str(exc).strip(), "a refusal without a message"
        after = scenario.file_digest(db.path)
        assert after == before, f"refused ({exc}) but the file changed"
        return Outcome(False, str(exc))
    except Exception:
        assert scenario.file_digest(db.path) == before, "crashed and the file changed"
        raise
    return Outcome(True, "")


def feed_domande(db: Database, path: Path, *, skip_invalid: bool = False) -> Outcome:
    from valutazione.importers.domande import import_domande

    return in_transaction(db, lambda s: import_domande(s, path, actor=scenario.CHAIR, skip_invalid=skip_invalid))


def feed_punteggi(db: Database, data: bytes) -> Outcome:
    from valutazione.services.scores_csv import import_scores

    return in_transaction(db, lambda s: import_scores(s, data, scenario.CHAIR))


def feed_ritorno(db: Database, path: Path) -> Outcome:
    from valutazione.sync.merge import merge_return

    return in_transaction(db, lambda s: merge_return(s, path, confirmed_key(path)))


def feed_pacchetto(path: Path, workdir: Path) -> Outcome:
    """Opening a member's package: refused → no working file is left behind."""
    from valutazione.sync.package import read_manifest

    before = sorted(p.name for p in workdir.iterdir()) if workdir.exists() else []
    try:
        with no_hang():
            read_manifest(path)
            opened = open_confirmed(path, workdir)
    except ValutazioneError as exc:
        after = sorted(p.name for p in workdir.iterdir()) if workdir.exists() else []
        assert after == before, f"refused ({exc}) but left {set(after) - set(before)}"
        return Outcome(False, str(exc))
    checked = scenario.integrity(opened.path)
    opened.path.unlink()  # before asserting: a failure must not leave state that the next examples reuse
    assert checked == [("ok",)], f"accepted a working file that fails integrity_check: {checked[:3]}"
    return Outcome(True, "")


def feed_bando(text: str) -> Outcome:
    """A call's rules: accepted rules survive the trip into a file (JSON) unchanged."""
    try:
        with no_hang():
            bando = parse_bando(text, "fuzz.toml")
    except ValutazioneError as exc:
        assert str(exc).strip()
        return Outcome(False, str(exc))
    assert bando_from_json(bando.to_json()) == bando
    return Outcome(True, "")


def toml_is_valid(text: str) -> bool:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return True
