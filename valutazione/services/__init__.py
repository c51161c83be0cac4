"""Use cases over an open file: each function takes the caller's ``Session`` and never commits it.

The caller (a GUI action, a CLI command) owns one transaction per user action, so a refused step
leaves nothing half-written; every decision writes its audit row in that same transaction.

``Session`` is re-exported so that the GUI can name the type of the session it hands to a service
without importing SQLAlchemy itself (a test keeps ``ui/`` free of SQLAlchemy and of the ORM models).
"""

from sqlalchemy.orm import Session

__all__ = ["Session"]
