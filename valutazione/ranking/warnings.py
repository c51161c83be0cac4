"""The warnings a committee needs before approving a ranking (docs/regole.md § 12).

Far-apart marks are to be discussed; identical sheets from every member suggest they did not judge
alone (courts have struck such rankings down); a missing sheet or fewer scorers than the quorum make
the collegial mean unreliable, so those two also block the final ranking.
"""

from __future__ import annotations

from collections.abc import Sequence

from valutazione.bando import Bando
from valutazione.plural import count
from valutazione.ranking.records import RankingWarning
from valutazione.scoring import COEFFICIENTS, POINTS, SubScore, format_it

SPREAD = "scarto"
IDENTICAL = "schede_identiche"
MISSING = "scheda_mancante"
QUORUM = "quorum"
BLOCKING = (MISSING, QUORUM)


def application_warnings(
    bando: Bando, protocol: str, subscores: Sequence[SubScore], expected_scorers: int
) -> list[RankingWarning]:
    """All warnings for one evaluated application, in a fixed order (kind, then sub-criterion).

    Called for every application of a ranking, so each sub-score's members are gathered once (a set
    as large as the scorers' has nobody missing) rather than once per scorer.
    """
    members = [{m for m, _ in s.coefficients} for s in subscores]
    scorers = sorted(set().union(*members))
    found: list[RankingWarning] = []

    def warn(kind: str, sub_code: str | None, member: str | None, text: str) -> None:
        found.append(RankingWarning(kind, protocol, sub_code, member, f"Domanda {protocol}: {text}"))

    if len(scorers) < expected_scorers:
        missing = expected_scorers - len(scorers)
        warn(MISSING, None, None, f"manca la scheda di {count(missing, 'commissari')} su {expected_scorers}")
    for s, ms in zip(subscores, members, strict=True):
        if len(ms) != len(scorers):
            for member in scorers:
                if member not in ms:
                    warn(MISSING, s.code, member, f"manca il punteggio di {member} sul sottocriterio {s.code}")
    if len(scorers) < bando.quorum:
        warn(QUORUM, None, None, f"valutata da {count(len(scorers), 'commissari')}, meno del quorum di {bando.quorum}")
    for s in subscores:
        if s.far_apart(bando.spread_warning):
            values = [v for _, v in s.coefficients]
            low, high = format_it(min(values)), format_it(max(values))
            warn(SPREAD, s.code, None, f"valutazioni distanti su {s.code} (da {low} a {high}), da discutere")
    if _identical(subscores, scorers):
        warn(
            IDENTICAL,
            None,
            None,
            "tutti i commissari hanno dato valutazioni identiche su ogni sottocriterio;"
            " verificare che abbiano giudicato in autonomia",
        )
    return found


def _identical(subscores: Sequence[SubScore], scorers: Sequence[str]) -> bool:
    """Every scorer marked every (non-pairwise) sub-criterion, and all marks agree on each of them."""
    marked = [s for s in subscores if s.method in (COEFFICIENTS, POINTS)]
    if len(scorers) < 2 or not marked:
        return False
    return all(len(s.coefficients) == len(scorers) and len({v for _, v in s.coefficients}) == 1 for s in marked)
