"""The ranking (*graduatoria*), pure: no database, no SQLAlchemy, no Qt.

Where each part lives:

- ``engine``   points, thresholds, re-scaling, ties, the call of the funding walk (``build_ranking``, ``slide``);
- ``records``  the frozen result (``Ranking``, ``Row``…) and its fingerprint;
- ``funding``  the funding walk down the ranking, the one rule that decides money;
- ``warnings`` what the committee must look at before approving;
- ``status``   each outcome once, with its Italian label and colour;
- ``stored``   the JSON of an approved version: one writer, one reader, an explicit schema version.

The use cases that read the file and store versions are in ``valutazione.services.ranking``; the
printed document is ``valutazione.reports.graduatoria``.
"""

from valutazione.ranking.engine import Candidate, build_ranking, parameters, rescale, slide
from valutazione.ranking.records import TOTAL, Ranking, RankingWarning, Row, ThresholdFailure, TieGroup
from valutazione.ranking.status import RankingStatus

__all__ = [
    "TOTAL",
    "Candidate",
    "Ranking",
    "RankingStatus",
    "RankingWarning",
    "Row",
    "ThresholdFailure",
    "TieGroup",
    "build_ranking",
    "parameters",
    "rescale",
    "slide",
]
