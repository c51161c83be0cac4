"""Who is using the window: a committee member, with their role (the chair also scores)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from valutazione.projects.officers import ROLE as OFFICER
from valutazione.services.committee import PRESIDENTE, SCORING_ROLES, SEGRETARIO


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def scores(self) -> bool:
        return self.role in SCORING_ROLES

    @property
    def is_chair(self) -> bool:
        return self.role == PRESIDENTE

    @property
    def is_secretary(self) -> bool:
        return self.role == SEGRETARIO

    @property
    def is_officer(self) -> bool:
        return self.role == OFFICER

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def role_label(role: str) -> str:
    labels = {"presidente": "presidente", "componente": "componente", "segretario": "segretario verbalizzante"}
    labels[OFFICER] = "referente del monitoraggio"
    return QCoreApplication.translate("User", labels.get(role, role))
