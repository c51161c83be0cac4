"""An applicant's attachment on the committee's disk: a safe name, and only document kinds opened."""

from __future__ import annotations

import pytest

from valutazione.attachment_files import MAX_NAME, local_name, may_open


@pytest.mark.parametrize(
    ("sent", "local", "opens"),
    [
        ("PG_101-2018_proposta.pdf", "PG_101-2018_proposta.pdf", True),
        ("Relazione.PDF ", "Relazione.PDF", True),
        ("domanda.pdf.p7m", "domanda.pdf.p7m", True),
        ("C:\\Users\\ente\\budget.xlsx", "budget.xlsx", True),
        ("verbale.pdf.exe", "verbale.pdf.exe", False),
        ("budget.JS", "budget.JS", False),
        ("leggimi.hta", "leggimi.hta", False),
        ("macro.docm", "macro.docm", False),
        ("a.exe.", "a.exe", False),  # Windows drops the trailing dot: it would run as a.exe
        ("x.pdf:nascosto.exe", "x.pdf_nascosto.exe", False),  # no alternate data stream
        ("\u202efdp.exe", "_fdp.exe", False),  # a right-to-left override shows «exe.pdf»
        ("../../.ssh/authorized_keys", "authorized_keys", False),
        ("..", "allegato", False),
        (" . ", "allegato", False),
        ("CON.pdf", "_CON.pdf", True),  # a device name on Windows, whatever the extension
        ("senza estensione", "senza estensione", False),
    ],
)
def test_local_name_and_kind(sent: str, local: str, opens: bool) -> None:
    """The local name keeps one safe file name; only a document kind may go to the system's program."""
    assert local_name(sent) == local
    assert may_open(sent) is opens


def test_a_long_name_keeps_its_kind() -> None:
    """A name over the limit is cut before its extension, so the kind seen is the kind opened."""
    name = local_name("a" * 300 + ".exe")
    assert len(name) == MAX_NAME and name.endswith(".exe") and not may_open("a" * 300 + ".exe")
    assert local_name("b" * 300 + ".pdf").endswith(".pdf")
