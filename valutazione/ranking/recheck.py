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
import sys
from decimal import Decimal
from typing import Any, BinaryIO

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
    numbers: dict[str, tuple[Decimal, str]] = {}  # a mark's text -> its Decimal (immutable) and that one's text
    for c, raw in zip(inputs.candidates, stored_candidates, strict=True):
        stored = raw.get("marks")
        if not isinstance(stored, dict):
            return {"unusable": "voti"}
        marks: dict[str, dict[str, Decimal]] = {}
        for name, digest in c.sheets:
            given = stored.get(name)
            if not digest or not isinstance(given, dict):
                return {"unusable": "scheda senza voti"}
            parsed: dict[str, Decimal] = {}
            flat: list[str] = []
            for k, v in given.items():
                if type(k) is not str or type(v) is not str:
                    return {"unusable": "voti non testuali"}
                found = numbers.get(v)
                if found is None:
                    number = Decimal(v)
                    found = numbers[v] = (number, str(number))
                parsed[k] = found[0]
                flat += (k, found[1])
            marks[name] = parsed
            used.append([digest, flat])
        candidates.append(c.candidate(marks))
    bando = bando_from_stored(inputs.rules, label)
    ranking = build_ranking(bando, candidates, dict(inputs.draws), inputs.comparisons)
    return {
        "fingerprint": ranking.fingerprint(),
        "stored": version.fingerprint,
        "sheets": [digest for digest, _flat in used],
        "marks": used_digest(used),
    }


def _read_texts(stream: BinaryIO) -> list[str]:
    count = int(stream.readline())
    texts = []
    for _ in range(count):
        size = int(stream.readline())
        texts.append(stream.read(size).decode("utf-8"))
    return texts


def main() -> int:
    """The child's loop: every text in, one JSON line out per text (an error becomes «cannot say»)."""
    out = sys.stdout
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
    raise SystemExit(main())
