"""What the GUI asks about packages: whose package a file is, and whether a member's key is pinned.

A member's package holds one member, who works in it as an evaluator even when the chair exported a
package to themselves: the chair's powers live in the master file, and nothing done in a package's
chair screens would ever travel back. The package format itself lives in ``valutazione.sync``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from valutazione.models import Commissario
from valutazione.sync.package import package_identity


@dataclass(frozen=True)
class PackageMember:
    """The member a package file was made for (always working as an evaluator in it)."""

    id: int
    name: str


def package_member(s: Session) -> PackageMember | None:
    """The member of a package file; None for the chair's own file (or a package naming nobody known)."""
    identity = package_identity(s)
    if identity is None:
        return None
    member = s.scalars(select(Commissario).where(Commissario.name == identity.member_name)).first()
    return None if member is None else PackageMember(member.id, member.name)


def is_package_file(s: Session) -> bool:
    """A member's package file, as opposed to the chair's (master) file."""
    return package_identity(s) is not None


def needs_first_key(s: Session, member_name: str) -> bool:
    """Whether a return from ``member_name`` would pin that member's key for the first time.

    False for a member whose key is already pinned and for an unknown name (the merge refuses those).
    """
    member = s.scalars(select(Commissario).where(Commissario.name == member_name)).first()
    return member is not None and member.public_key is None
