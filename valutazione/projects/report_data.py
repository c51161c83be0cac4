"""What the «Stato di avanzamento» report and the monitoring export show, gathered once in one session.

The PDF and the CSV/XLSX read the same frozen record, so the figures of the two never differ; the record
is also what the PDF's fingerprint is computed over.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from valutazione.bando import Bando
from valutazione.db import load_rules
from valutazione.projects import monitoring
from valutazione.projects.impacts import IndicatorLine
from valutazione.projects.monitoring import FinanceSummary
from valutazione.projects.views import ProjectDetail, project_detail


@dataclass(frozen=True)
class ProgressData:
    bando: Bando
    today: date
    summary: FinanceSummary
    problems: tuple[str, ...]
    details: tuple[ProjectDetail, ...]
    call_indicators: tuple[IndicatorLine, ...]
    zone_indicators: tuple[tuple[str, tuple[IndicatorLine, ...]], ...]

    def content(self) -> dict[str, Any]:
        """The facts shown, for the fingerprint (same facts, same fingerprint)."""
        return {
            "al": self.today,
            "sintesi": asdict(self.summary),
            "progetti": [asdict(d) for d in self.details],
            "indicatori": [asdict(x) for x in self.call_indicators],
        }


def collect_progress(s: Session, today: date | None = None) -> ProgressData:
    today = today or date.today()
    sm = monitoring.summary(s, today)
    total, by_zone = monitoring.indicator_summary(s)
    return ProgressData(
        load_rules(s),
        today,
        sm,
        tuple(monitoring.check_nesting(sm)),
        tuple(project_detail(s, line.protocol, today) for line in sm.lines),
        tuple(total),
        tuple((zone, tuple(lines)) for zone, lines in by_zone),
    )
