"""Who may fill a signature field: the person the field names, matched against the certificate.

The minutes carry one field per member, named after them (``Presidente - Laura Fumagalli``). A
signature that is cryptographically perfect but made with another member's certificate is not that
member's signature: verification flags it and signing refuses it unless a delegation is stated.
Names are compared as Italians write them on certificates: case, accents, apostrophes and word order
do not matter (``FUMAGALLI LAURA`` is Laura Fumagalli), tokens with digits (a tax code some
certificates append to the common name) are ignored. Nothing here imports pyHanko.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FIELD_SEPARATOR = " - "


def field_person(field_name: str) -> str | None:
    """The person a field names (the text after «Ruolo - »), or None for a field that names nobody."""
    if FIELD_SEPARATOR not in field_name:
        return None
    person = field_name.rsplit(FIELD_SEPARATOR, 1)[1].strip()
    return person or None


def _words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return sorted(w for w in re.split(r"[^0-9a-z]+", plain) if w and not any(ch.isdigit() for ch in w))


def same_person(expected: str, names: Iterable[str]) -> bool:
    """Whether any of the certificate's ``names`` has exactly the words of ``expected``."""
    wanted = _words(expected)
    return bool(wanted) and any(_words(n) == wanted for n in names)


def certificate_names(subject: Mapping[str, Any]) -> list[str]:
    """The names a certificate subject (asn1crypto's ``subject.native``) gives its holder.

    The common name, and given name plus surname when the certificate carries them separately
    (Italian qualified certificates do).
    """
    names = [str(subject["common_name"])] if subject.get("common_name") else []
    given, surname = subject.get("given_name"), subject.get("surname")
    if given and surname:
        names.append(f"{given} {surname}")
    pseudonym = subject.get("pseudonym")
    if pseudonym:
        names.append(str(pseudonym))
    return names


def identity_problem(field_name: str, names: Sequence[str]) -> str | None:
    """The Italian finding when the certificate's ``names`` are not the field's person; None when they are.

    A field that names nobody has no problem here (its signer is whoever the office decides).
    """
    person = field_person(field_name)
    if person is None or same_person(person, names):
        return None
    holder = names[0] if names else "un titolare senza nome"
    return f"il campo è di {person}, ma il certificato è intestato a {holder}"
