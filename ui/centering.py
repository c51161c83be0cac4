"""A column of fixed width centred on the page, tall enough for its word-wrapped text.

Why: ``addWidget(box, alignment=AlignHCenter)`` gives the box its size hint, computed for another width,
and skips height-for-width: at 1366×768 word-wrapped notes and forms were squashed into one-pixel lines
and buttons drawn over lists. A row with stretches either side keeps height-for-width working.
"""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QWidget


def add_centered(outer: QBoxLayout, box: QWidget) -> None:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(box)
    row.addStretch(1)
    outer.addLayout(row)
