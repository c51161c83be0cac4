"""The seal of an approved ranking version: recomputed from its frozen inputs, fingerprint compared.

A version keeps the rules, the facts (exclusions, renunciations, draws), the members' pairwise comparisons
(since schema 4) and, per application, the hash of every sheet it was computed on. The marks behind each
hash come from the sheet if it still carries that hash (its own seal has just been checked), else from the
log, which keeps the content of every sending: so a sheet reopened and changed after the approval does not
break the older version, but a version whose points no longer follow from what the members sent does.

Recomputing a version is the dearest part of a verification (the whole ranking engine and its canonical
JSON), and every export verifies again. Its outcome is a pure function of two things: the version's
stored text, and the marks behind each sheet hash it names. The marks behind a hash are fixed by the hash
itself when they come from a sheet (the sheet check has just recomputed that very hash from those marks)
and by the log row's text when they come from the log. So a recomputation that agreed is remembered
(``_AGREED``, in memory only, for this process), keyed by the SHA-256 of the stored text and of the stored
fingerprint, with, per sheet hash, where its marks came from (the sheet, or the SHA-256 of the log row's
text). The next verification reuses it only when every one of those is the same again; anything edited
in the file, even under a running program, changes one of them and the version is recomputed in full.
Nothing is remembered in the file (whoever edits the file could edit that too), and a disagreement is
never remembered, so a broken version is reported with the same words every time. Nor is a version
before schema 4 of a call with pairwise comparisons: it is recomputed on the file's current comparisons,
which no key here covers.

A large version is first sent to a second process (``seals.elsewhere``, ``ranking.recheck``), which
recomputes it from its own stored marks while this process checks the log and the sheets; its answer
is taken only if, for every sheet hash, those marks are exactly the ones ``_marks`` finds here (the
digest of both lists equal), so the engine saw the same inputs (``_agreed_elsewhere``). Otherwise the
version is recomputed here as above.

The chain and the other seals are re-read in full each time: an incremental check of the log «from the
last verified head» would miss a row edited underneath by another process, which is exactly what the
verification is for.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.bando import bando_from_stored
from valutazione.errors import ValutazioneError
from valutazione.models import AuditRow, GraduatoriaVersion
from valutazione.ranking import Ranking, build_ranking
from valutazione.ranking.engine import PairwiseInput
from valutazione.ranking.recheck import text_key, used_digest
from valutazione.ranking.stored import StoredInputs, read_version
from valutazione.seals import elsewhere
from valutazione.seals.report import BrokenSeal
from valutazione.seals.sheets import SheetFacts

_AGREED: dict[str, tuple[tuple[str, str], ...]] = {}  # text+fingerprint digest -> (sheet hash, source) agreed
_AGREED_MAX = 64
_AGREED_LOCK = threading.Lock()  # the window verifies in a worker while an export may verify on its own
FROM_SHEET = "scheda"
_UNREPEATABLE = ("", "confronti letti dal file")  # in ``used``: the outcome must not be remembered


def _logged_marks(session: Session, facts: SheetFacts, digest: str) -> tuple[dict[str, Decimal], str] | None:
    """The marks of a sending no longer on its sheet, from the log row; and the SHA-256 of that row's text."""
    found = facts.logged_marks.get(digest)
    if found is not None:
        return found
    audit_id = facts.logged_by_hash.get(digest)
    if audit_id is None:
        return None
    after = session.scalar(select(AuditRow.after_json).where(AuditRow.id == audit_id)) or "{}"
    content: dict[str, Any] = json.loads(after)
    marks = {v["sottocriterio"]: Decimal(v["valore"]) for v in content.get("voti", []) if v["valore"] is not None}
    facts.logged_marks[digest] = (marks, hashlib.sha256(after.encode("utf-8")).hexdigest())
    return facts.logged_marks[digest]


def _marks(session: Session, facts: SheetFacts, digest: str) -> tuple[dict[str, Decimal], str] | None:
    """The marks behind a sheet hash and where they came from (``FROM_SHEET``, or the log row's digest)."""
    found = facts.marks_by_hash.get(digest)
    if found is None:
        flat = facts.mark_texts.get(digest)
        if flat is not None:
            found = facts.marks_by_hash[digest] = {flat[i]: Decimal(flat[i + 1]) for i in range(0, len(flat), 2)}
    if found is not None:
        return found, FROM_SHEET
    return _logged_marks(session, facts, digest)


def _mark_texts(session: Session, facts: SheetFacts, digest: str) -> tuple[list[str], str] | None:
    """``_marks`` as flat text, [sub-criterion, str(mark), ...] in the same order: what the second process
    reports (``str`` of a Decimal gives back exactly that Decimal, so equal texts are equal inputs)."""
    flat = facts.mark_texts.get(digest)
    if flat is not None:
        return flat, FROM_SHEET
    found = _logged_marks(session, facts, digest)
    if found is None:
        return None
    return [x for c, v in found[0].items() for x in (c, str(v))], found[1]


def _sources(session: Session, facts: SheetFacts, digests: tuple[tuple[str, str], ...]) -> bool:
    """Whether every sheet hash of a remembered version still finds its marks where it found them then."""
    for digest, source in digests:
        found: str | None = FROM_SHEET
        if digest not in facts.mark_texts:
            logged = _logged_marks(session, facts, digest)
            found = None if logged is None else logged[1]
        if found != source:
            return False
    return True


def recompute(
    session: Session, inputs: StoredInputs, facts: SheetFacts, label: str, used: list[tuple[str, str]] | None = None
) -> tuple[Ranking, list[str]]:
    """The version's ranking rebuilt from its inputs; also the sheets whose content is nowhere in the file.

    ``used`` receives, per sheet hash, where its marks were found (what ``_AGREED`` keys on).
    """
    bando = bando_from_stored(inputs.rules, label)
    missing: list[str] = []
    candidates = []
    for c in inputs.candidates:
        marks: dict[str, dict[str, Decimal]] = {}
        for name, digest in c.sheets:
            found = _marks(session, facts, digest) if digest else None
            if found is None or not digest:
                missing.append(f"{name} su {c.protocol}")
            else:
                marks[name] = found[0]
                if used is not None:
                    used.append((digest, found[1]))
        candidates.append(c.candidate(marks))
    comparisons: PairwiseInput | None = inputs.comparisons
    if comparisons is None:  # a version before schema 4 did not record them: the file's current ones
        from valutazione.services.pairwise_entry import all_comparisons

        comparisons = all_comparisons(session, bando)
        if comparisons and used is not None:
            used.append(_UNREPEATABLE)
    return build_ranking(bando, candidates, dict(inputs.draws), comparisons), missing


def _remember(key: str, used: list[tuple[str, str]]) -> None:
    with _AGREED_LOCK:
        if len(_AGREED) >= _AGREED_MAX:
            _AGREED.pop(next(iter(_AGREED)))
        _AGREED[key] = tuple(used)


def _key(stored: str, content_json: str) -> str:
    """The SHA-256 of ``stored``, a newline and the version's text (fed in pieces: no copy of 14 MB)."""
    digest = hashlib.sha256(f"{stored}\n".encode())
    digest.update(content_json.encode())
    return digest.hexdigest()


def start_elsewhere(session: Session) -> elsewhere.Recheck | None:
    """A second process for the large versions this process has not already seen agree (``elsewhere``)."""
    query = select(GraduatoriaVersion.fingerprint, GraduatoriaVersion.content_json)
    texts = []
    for stored, content_json in session.execute(query):
        with _AGREED_LOCK:
            if _AGREED and _key(stored, content_json) in _AGREED:  # a fresh process remembers nothing
                continue
        texts.append(content_json)
    return elsewhere.start(texts)


def _agreed_elsewhere(
    session: Session, facts: SheetFacts, answer: dict[str, Any] | None, stored: str
) -> list[tuple[str, str]] | None:
    """Where the marks came from, if the second process agreed using exactly the marks used here; else None."""
    if answer is None or answer.get("fingerprint") != stored or answer.get("stored") != stored:
        return None
    sheets, marks = answer.get("sheets"), answer.get("marks")
    if not isinstance(sheets, list) or not isinstance(marks, str):
        return None
    used: list[tuple[str, str]] = []
    mine: list[list[Any]] = []
    on_sheets = facts.mark_texts
    for digest in sheets:
        if type(digest) is not str or not digest:
            return None
        flat = on_sheets.get(digest)  # ``_mark_texts``, its common case inline: 23,726 sheets at 5,000
        if flat is not None:
            mine.append([digest, flat])
            used.append((digest, FROM_SHEET))
            continue
        found = _mark_texts(session, facts, digest)
        if found is None:
            return None
        mine.append([digest, found[0]])
        used.append((digest, found[1]))
    return used if used_digest(mine) == marks else None


def check_versions(
    session: Session,
    facts: SheetFacts,
    tick: Callable[[int], None],
    other: elsewhere.Recheck | None = None,
) -> list[BrokenSeal]:
    broken: list[BrokenSeal] = []
    query = select(GraduatoriaVersion.version, GraduatoriaVersion.fingerprint, GraduatoriaVersion.content_json)
    for number, stored, content_json in session.execute(query.order_by(GraduatoriaVersion.version)):
        obj = f"Graduatoria approvata, versione {number}"
        key = _key(stored, content_json)
        with _AGREED_LOCK:
            agreed = _AGREED.get(key)
        if agreed is not None and _sources(session, facts, agreed):
            tick(1)
            continue
        there = (
            None if other is None else _agreed_elsewhere(session, facts, other.answer(text_key(content_json)), stored)
        )
        if there is not None:
            tick(1)
            _remember(key, there)
            continue
        used: list[tuple[str, str]] = []
        try:
            version = read_version(content_json)
            if version.inputs is None:
                raise ValueError("mancano i dati di calcolo")
            ranking, missing = recompute(session, version.inputs, facts, obj, used)
        except (ValueError, KeyError, TypeError, ValutazioneError) as exc:
            broken.append(BrokenSeal("graduatoria", obj, f"i dati con cui è stata approvata sono illeggibili ({exc})"))
            continue
        tick(1)
        if missing:
            broken.append(
                BrokenSeal(
                    "graduatoria",
                    obj,
                    "le schede su cui è stata calcolata non sono più nel file: "
                    + ", ".join(missing[:5])
                    + (" e altre" if len(missing) > 5 else ""),
                )
            )
        elif ranking.fingerprint() != stored or version.fingerprint != stored:
            broken.append(
                BrokenSeal(
                    "graduatoria",
                    obj,
                    "ricalcolata dai suoi dati non dà la stessa impronta: "
                    "posizioni o punteggi non seguono più dalle schede inviate",
                )
            )
        elif _UNREPEATABLE not in used:
            _remember(key, used)
    return broken
