"""An approved version recomputed from its own stored text, so that it can run in a process of its own.

Verifying a file recomputes every approved version (``seals.versions``): at 5,000 applications the ranking
engine and the fingerprint of its 14 MB canonical text are the dearest part of the check, and all of it is
pure Python, so a thread cannot run it beside the reading and hashing of the log and the sheets. A second
process can, on the second core. It needs nothing from the database: the version's text carries the rules,
the facts and, per application, each member's marks as they were at the approval beside the hash of the
sheet they came from.

What the process computes from those stored marks is only worth what the marks are: so it reports the
sheet hashes in the order the engine used them and the SHA-256 of the marks it used for each
(``used_digest``), and the verification (in the first process, which read and hashed the sheets) takes its
fingerprint only if the same digest over the marks it would itself have used for those hashes is equal —
so every mark is the same, text for text, in the same order (the 213,000 marks of a 5,000-application
version are not sent back and compared one by one: that was a tenth of a second in each process). Then
the engine saw the same inputs, and its result is the one the verification would have computed.
Anything else (marks that differ, a sheet without marks, a version from before the comparisons were
stored, an error) is answered «cannot say» and the verification recomputes that version itself, with
its own words for what is wrong.

Run as ``python -m valutazione.ranking.recheck``: reads the texts from standard input (a count, then each
text's byte length and bytes), writes one JSON line per text to standard output.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from decimal import Decimal
from typing import Any, BinaryIO

from valutazione import collector
from valutazione.bando import bando_from_stored
from valutazione.ranking.engine import build_ranking
from valutazione.ranking.stored import read_version

Used = list[list[Any]]  # [[sheet hash, [sub-criterion, mark as text, ...]], ...] in the engine's order


def text_key(content_json: str) -> str:
    """What both processes call a version's text by: the SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(content_json.encode("utf-8")).hexdigest()


def used_digest(used: Used) -> str:
    """The SHA-256 of the marks used, per sheet hash in the engine's order, as compact ASCII JSON: equal
    digests, equal lists of texts (JSON spells a list of strings one way only)."""
    return hashlib.sha256(json.dumps(used, ensure_ascii=True, separators=(",", ":")).encode("ascii")).hexdigest()


def recheck(content_json: str, label: str) -> dict[str, Any]:
    """The fingerprint recomputed from the stored marks, the sheet hashes in the engine's order and the
    digest of the marks used for them (``used_digest``); or why not."""
    data = json.loads(content_json)
    version = read_version(data)
    inputs = version.inputs
    if inputs is None or inputs.comparisons is None:
        return {"unusable": "versione senza dati di calcolo completi"}
    stored_candidates = data["inputs"]["candidates"]
    if len(stored_candidates) != len(inputs.candidates):
        return {"unusable": "candidati"}
    used: Used = []
    candidates = []
    numbers = _Numbers()
    for c, raw in zip(inputs.candidates, stored_candidates, strict=True):
        stored = raw.get("marks")
        if not isinstance(stored, dict):
            return {"unusable": "voti"}
        marks: dict[str, dict[str, Decimal]] = {}
        for name, digest in c.sheets:
            given = stored.get(name)
            if not digest or not isinstance(given, dict):
                return {"unusable": "scheda senza voti"}
            found = numbers.sheet(given)
            if found is None:
                return {"unusable": "voti non testuali"}
            marks[name] = found[0]
            used.append([digest, found[1]])
        candidates.append(c.candidate(marks))
    bando = bando_from_stored(inputs.rules, label)
    ranking = build_ranking(bando, candidates, dict(inputs.draws), inputs.comparisons)
    return {
        "fingerprint": ranking.fingerprint(),
        "stored": version.fingerprint,
        "sheets": [digest for digest, _flat in used],
        "marks": used_digest(used),
    }


class _Numbers:
    """Each mark's text read once: its ``Decimal`` (immutable, shared) and that number's own spelling."""

    def __init__(self) -> None:
        self._value: dict[str, Decimal] = {}
        self._text: dict[str, str] = {}

    def sheet(self, given: dict[Any, Any]) -> tuple[dict[str, Decimal], list[str]] | None:
        """One sheet's marks as numbers, and flat as [sub-criterion, mark as text, ...]; None: not all text.

        The common case (every mark's text seen before) is one lookup per mark, done by the dictionaries
        themselves; a text never seen, or a value that is no string, takes the loop that checks each."""
        keys = list(given)
        if all(type(k) is str for k in keys):
            try:
                parsed = dict(zip(keys, map(self._value.__getitem__, given.values()), strict=True))
                texts = list(map(self._text.__getitem__, given.values()))
            except (KeyError, TypeError):
                pass
            else:
                flat: list[str] = [""] * (2 * len(keys))
                flat[::2] = keys
                flat[1::2] = texts
                return parsed, flat
        for k, v in given.items():
            if type(k) is not str or type(v) is not str:
                return None
            if v not in self._value:
                number = Decimal(v)
                self._value[v], self._text[v] = number, str(number)
        return self.sheet(given)


def _read_texts(stream: BinaryIO) -> list[str]:
    count = int(stream.readline())
    texts = []
    for _ in range(count):
        size = int(stream.readline())
        texts.append(stream.read(size).decode("utf-8"))
    return texts


def main() -> int:
    """The child's loop: every text in, one JSON line out per text (an error becomes «cannot say»).

    The cyclic collector stays off (``collector``: it walked the heap of a 5,000-application version again
    and again to free nothing); reference counting frees as usual."""
    out = sys.stdout
    with collector.paused():
        for text in _read_texts(sys.stdin.buffer):
            try:
                answer = recheck(text, "Graduatoria approvata")
            except Exception as exc:
                answer = {"unusable": f"{type(exc).__name__}"}
            answer["sha256"] = text_key(text)
            out.write(json.dumps(answer, ensure_ascii=True, separators=(",", ":")) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # every answer is written: the heap is left to the system, not torn down object by object
