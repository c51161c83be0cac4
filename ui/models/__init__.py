"""One QAbstractTableModel per table, over frozen row dataclasses built inside a session."""
