"""What the Italian-only check looks for in every visible text, tooltip and placeholder of a screen.

Why: English words of Qt or of the OS, raw database keys and template names, and «1 schede» reached users.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QTabWidget, QWidget

ENGLISH = re.compile(
    r"\b(No such file|file not found|half[- ]up|Cancel|Permission denied|Error|Warning|Yes|None|True|False)\b"
)
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")  # data_invio, soglia_totale: a database key, not a word
TEMPLATE = re.compile(r"\b[a-z]+-[a-z]{2}\d{3}[a-z]?\b")  # milano-mi331e: a template's file name
SINGULAR_PLURAL = re.compile(r"(?<![\d,.])1 (schede|elementi|commissari|domande|componenti|criteri|voci|righe)\b")


def texts(window: QWidget) -> list[tuple[str, str]]:
    """(widget, text) for each visible text, tooltip and placeholder under ``window``."""
    found: list[tuple[str, str]] = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        name = type(widget).__name__
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append((name, widget.text()))
        if isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            found.append((name, widget.placeholderText()))
        if isinstance(widget, QTabWidget):
            found.extend((name, widget.tabText(i)) for i in range(widget.count()))
        found.append((name, widget.toolTip()))
    return [(name, text) for name, text in found if text]


def faults(window: QWidget) -> list[str]:
    bad = []
    for name, text in texts(window):
        for pattern, what in (
            (ENGLISH, "inglese"),
            (RAW_KEY, "chiave grezza"),
            (TEMPLATE, "nome di modello"),
            (SINGULAR_PLURAL, "plurale sbagliato"),
        ):
            hit = pattern.search(text)
            if hit:
                bad.append(f"{what} {hit.group(0)!r} in {name}: {text[:80]!r}")
    return bad
