"""The ranking's warnings as the chair reads them: grouped by kind, one line per application, with counts.

The engine says one thing per warning («Domanda PG 101/2018: valutazioni distanti su A.2 (da 0,4 a
0,7), da discutere»), which at forty applications is a wall of text where the two warnings that block
the final ranking drown among forty that only ask for a discussion. Here they are gathered: a group per
kind (blocking kinds first), in each group one line per application (and member, for a missing mark),
and the counts a heading needs. Nothing is dropped: every warning of the engine is in exactly one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from valutazione.plural import count
from valutazione.ranking.warnings import BLOCKING, IDENTICAL, MISSING, QUORUM, SPREAD
from valutazione.services.ranking import UNDECIDED

TITLES = {
    UNDECIDED: "Ammissibilità da decidere",
    MISSING: "Schede o punteggi mancanti",
    QUORUM: "Valutate da meno commissari del quorum",
    IDENTICAL: "Schede identiche di tutti i commissari",
    SPREAD: "Valutazioni distanti, da discutere",
}
ORDER = (UNDECIDED, MISSING, QUORUM, IDENTICAL, SPREAD)
_RANGE = re.compile(r"\(da [^)]*\)")


@dataclass(frozen=True)
class WarningLine:
    """One application's warnings of one kind (and one member's, for missing marks), said once."""

    kind: str
    protocol: str
    members: tuple[str, ...]  # who must act: the member missing a mark, or those without a sent sheet
    text: str
    warnings: int  # how many of the engine's warnings this line stands for

    @property
    def member(self) -> str | None:
        """The member the line leads to (the first, when several)."""
        return self.members[0] if self.members else None


@dataclass(frozen=True)
class WarningGroup:
    kind: str
    title: str
    blocking: bool
    lines: tuple[WarningLine, ...]

    @property
    def warnings(self) -> int:
        return sum(line.warnings for line in self.lines)

    @property
    def domande(self) -> int:
        return len({line.protocol for line in self.lines})

    @property
    def heading(self) -> str:
        """«Valutazioni distanti, da discutere — 44 avvisi su 30 domande»."""
        return f"{self.title} — {count(self.warnings, 'avvisi')} su {count(self.domande, 'domande')}"


def _detail(w: Mapping[str, Any]) -> str:
    """The warning without its «Domanda X:» head; for a spread, only the sub-criterion and its range."""
    message = str(w["message"])
    text = message.split(": ", 1)[1] if message.startswith("Domanda ") and ": " in message else message
    if w["kind"] == SPREAD and w.get("sub_code"):
        found = _RANGE.search(text)
        return f"{w['sub_code']} {found.group(0)}" if found else text
    return text


def group_warnings(
    warnings: Iterable[Mapping[str, Any]], absent: Mapping[str, Sequence[str]] | None = None
) -> tuple[WarningGroup, ...]:
    """The warnings (as ``ranking_service`` JSON) grouped by kind, then by application and member.

    ``absent`` (``Board.absent``) names who has not sent a sheet, which the engine cannot know: a
    «manca la scheda» line then says whose, and the filter by member finds it.
    """
    absent = absent or {}
    buckets: dict[str, dict[tuple[str, str | None], list[Mapping[str, Any]]]] = {}
    for w in warnings:
        member = w.get("member") if w["kind"] == MISSING and w.get("sub_code") else None
        buckets.setdefault(str(w["kind"]), {}).setdefault((str(w["protocol"]), member), []).append(w)
    kinds = [k for k in ORDER if k in buckets] + sorted(k for k in buckets if k not in ORDER)
    groups = []
    for kind in kinds:
        lines = []
        for (protocol, member), found in buckets[kind].items():
            members: tuple[str, ...] = (member,) if member is not None else ()
            if member is not None:
                codes = ", ".join(str(w["sub_code"]) for w in found)
                text = f"{member}: manca il punteggio su {codes}"
            elif kind == SPREAD:
                text = "; ".join(_detail(w) for w in found)
            else:
                text = "; ".join(dict.fromkeys(_detail(w) for w in found))
                if kind in (MISSING, QUORUM) and absent.get(protocol):
                    members = tuple(absent[protocol])  # the quorum line is found by member, not repeated
                    text += f" ({', '.join(members)})" if kind == MISSING else ""
            lines.append(WarningLine(kind, protocol, members, text, len(found)))
        groups.append(WarningGroup(kind, TITLES.get(kind, kind), kind in BLOCKING or kind == UNDECIDED, tuple(lines)))
    return tuple(groups)


def members_named(groups: Iterable[WarningGroup]) -> tuple[str, ...]:
    """The members some line names (the filter by member offers only these)."""
    return tuple(sorted({name for g in groups for line in g.lines for name in line.members}))
