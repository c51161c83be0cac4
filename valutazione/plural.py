"""Italian counts with the right number: «1 commissario», «2 commissari» — never «1 commissari»."""

from __future__ import annotations

FORMS: dict[str, str] = {
    "commissari": "commissario",
    "domande": "domanda",
    "schede": "scheda",
    "elementi": "elemento",
    "componenti": "componente",
    "modifiche": "modifica",
    "conflitti": "conflitto",
    "righe": "riga",
    "progetti": "progetto",
    "versioni": "versione",
    "erogazioni": "erogazione",
    "sedute": "seduta",
    "fasi": "fase",
    "incontri": "incontro",
    "indicatori": "indicatore",
    "documenti": "documento",
    "avvisi": "avviso",
    "firme": "firma",
    "astensioni": "astensione",
}


def count(n: int, plural: str) -> str:
    """``n`` followed by ``plural`` (a key of FORMS) in the singular when ``n`` is one."""
    return f"{n} {FORMS[plural] if n == 1 else plural}"
