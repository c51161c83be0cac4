"""Who may be named in the public ranking: only applicants identified as organisations.

The public ranking goes on *Amministrazione trasparente*, where the personal data of natural persons
must not appear (GDPR art. 5 and 6, d.lgs. 33/2013 art. 26 c. 4: no data that identifies a natural
person beyond what the law requires). The old rule withheld a row only when its tax code had the exact
shape of a personal one: a mistyped code (a space, a missing character) published a person's name and
code. The rule is now the other way round: a row is published only when the applicant is *positively*
identified as an organisation, by an 11-digit tax code (the form only bodies and companies have) or
by a legal form no natural person can have (association, cooperative, company, foundation…), and no
legal form says it is a person (sole trader, self-employed). Every other row is withheld, unless the
chair expressly confirms publication (an option of the export, recorded in the audit log). The
document states how many rows were withheld and why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WITHHELD_NAME = "Dati non pubblicati (possibile persona fisica)"
WITHHELD_TAX_CODE = "non pubblicato"
ORGANISATION_TAX_CODE = re.compile(r"[0-9]{11}")
# Legal forms (normalised: lower case, no accents, no dots) that only an organisation can have.
ORGANISATION_FORMS = (
    "associazione",
    "aps",
    "odv",
    "onlus",
    "ets",
    "asd",
    "ssd",
    "ong",
    "fondazione",
    "cooperativa",
    "coop",
    "consorzio",
    "comitato",
    "ente",
    "impresa sociale",
    "societa",
    "srl",
    "srls",
    "spa",
    "sapa",
    "sas",
    "snc",
    "scarl",
    "scrl",
    "ats",
    "ati",
    "rti",
    "parrocchia",
    "istituto",
    "universita",
    "comune",
    "azienda",
)
# Legal forms that say the applicant is a person, whatever the tax code looks like.
PERSON_FORMS = (
    "persona fisica",
    "ditta individuale",
    "impresa individuale",
    "libero professionista",
    "lavoratore autonomo",
    "professionista",
)


def _normalised(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold().replace(".", "")
    return " " + " ".join(re.split(r"[^0-9a-z]+", plain)).strip() + " "


def _names_form(legal_form: str, forms: Sequence[str]) -> bool:
    text = _normalised(legal_form)
    return any(f" {form} " in text for form in forms)


def is_person_form(legal_form: str) -> bool:
    """The legal form says the applicant is a natural person (sole trader, professional)."""
    return _names_form(legal_form, PERSON_FORMS)


def has_organisation_tax_code(tax_code: str) -> bool:
    """Exactly 11 digits, as typed (no spaces): the tax code of a body or company, never of a person."""
    return bool(ORGANISATION_TAX_CODE.fullmatch(tax_code.strip()))


def is_organisation(tax_code: str, legal_form: str) -> bool:
    """Positively identified as an organisation: 11-digit tax code or an organisation's legal form."""
    if is_person_form(legal_form):
        return False
    return has_organisation_tax_code(tax_code) or _names_form(legal_form, ORGANISATION_FORMS)


@dataclass(frozen=True)
class PublicIdentity:
    """What the public ranking shows for an applicant, and whether it was withheld."""

    name: str
    tax_code: str
    withheld: bool = False  # name and tax code replaced: not identified as an organisation
    confirmed: bool = False  # not identified as an organisation, published on the chair's confirmation
    tax_code_withheld: bool = False  # an organisation whose tax code is not 11 digits: the code is left out


def public_identity(applicant: str, tax_code: str, legal_form: str, *, confirmed: bool = False) -> PublicIdentity:
    """The name and tax code to publish for one applicant (see the module's rule)."""
    if is_organisation(tax_code, legal_form):
        if has_organisation_tax_code(tax_code):
            return PublicIdentity(applicant, tax_code.strip())
        return PublicIdentity(applicant, WITHHELD_TAX_CODE, tax_code_withheld=True)
    if confirmed:
        return PublicIdentity(applicant, tax_code, confirmed=True)
    return PublicIdentity(WITHHELD_NAME, WITHHELD_TAX_CODE, withheld=True)


@dataclass(frozen=True)
class PublicationCount:
    """How many rows the public ranking withheld, published on confirmation, or published without code."""

    rows: int
    withheld: int
    confirmed: int
    tax_codes_withheld: int

    @staticmethod
    def of(identities: Sequence[PublicIdentity]) -> PublicationCount:
        return PublicationCount(
            len(identities),
            sum(i.withheld for i in identities),
            sum(i.confirmed for i in identities),
            sum(i.tax_code_withheld for i in identities),
        )

    def notes(self) -> list[str]:
        """The Italian notes the document prints (empty when every applicant is an organisation)."""
        out = []
        if self.withheld:
            out.append(
                f"Righe con dati non pubblicati: {self.withheld} su {self.rows}. Per queste domande il proponente "
                "non risulta un ente (codice fiscale diverso da 11 cifre e forma giuridica non propria di un ente): "
                "potrebbe essere una persona fisica, i cui dati personali non si pubblicano senza conferma "
                "espressa del presidente della commissione."
            )
        if self.confirmed:
            out.append(
                f"Righe pubblicate su conferma espressa del presidente: {self.confirmed} su {self.rows} "
                "(proponenti non identificati come enti)."
            )
        if self.tax_codes_withheld:
            out.append(
                f"Codici fiscali non pubblicati: {self.tax_codes_withheld} (enti il cui codice fiscale registrato "
                "non è di 11 cifre)."
            )
        return out


def identities(
    rows: Sequence[tuple[str, str, str]], legal_forms: Mapping[str, str] | None, *, confirmed: bool = False
) -> list[PublicIdentity]:
    """``rows`` as (protocol, applicant, tax code); ``legal_forms`` by protocol (missing: unknown form)."""
    forms = legal_forms or {}
    return [public_identity(a, t, forms.get(p, ""), confirmed=confirmed) for p, a, t in rows]
