"""PAdES signatures on the committee's PDFs: empty signature fields, signing, verification.

Italian public bodies sign minutes one member after the other, each with a qualified certificate on a
smart card (PKCS#11) or, in tests and small offices, a PKCS#12 file. Each signature is an incremental
update, so earlier signatures stay valid; verification must tell a later co-signature (allowed) from a
later edit of the text (not allowed).

pyHanko and cryptography are imported inside the functions: importing this module must stay cheap
for the CLI and the GUI start-up. PINs and passwords are used once and never kept.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from valutazione.errors import ValutazioneError
from valutazione.signer_identity import certificate_names, identity_problem

StrPath = str | os.PathLike[str]


class SignatureError(ValutazioneError):
    """Signing or verifying a PDF failed; the message says why, in Italian."""


class SignatureFieldSpec(NamedTuple):
    """An empty signature box to add: field name, 0-based page, (x1, y1, x2, y2) in PDF points."""

    name: str
    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class FieldInfo:
    """A signature field of a PDF and whether someone has already signed it."""

    name: str
    signed: bool


@dataclass(frozen=True)
class SignatureReport:
    """What a verifier needs to know about one signature, and an Italian sentence saying it."""

    field_name: str
    signer_name: str
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    modified_after: bool
    covers_entire_file: bool
    summary: str
    signer_matches: bool = True  # the certificate is the person the field names (or it names nobody)
    reason: str = ""  # the reason stated in the signature (a delegation, for instance)

    @property
    def ok(self) -> bool:
        """Intact, cryptographically valid, made by the field's person, not followed by a forbidden change.

        Says nothing about trust: see :func:`overall`, which never calls a signature valid without a
        trusted certification authority.
        """
        return self.intact and self.valid and self.signer_matches and not self.modified_after


VALID = "valide"
INVALID = "non valide"
UNVERIFIED = "integre ma non verificate"


def overall(reports: Sequence[SignatureReport], with_roots: bool) -> str:
    """One verdict for a document: ``VALID`` only when every signature holds and chains to a given CA.

    Without a trust anchor a self-made certificate in anyone's name would pass, so the best a document
    can get is ``UNVERIFIED`` (intact, but nobody vouches for the signers).
    """
    if not reports or not all(r.ok for r in reports):
        return INVALID
    if not with_roots:
        return UNVERIFIED
    return VALID if all(r.trusted for r in reports) else INVALID


class Signer:
    """A signing identity ready to use: a PKCS#12 key in memory or an open PKCS#11 session.

    Build it with :func:`p12_signer` or :func:`pkcs11_signer`; use it as a context manager (or call
    :meth:`close`) so that a token session is logged out and closed when the signing is done.
    """

    def __init__(
        self,
        backend: Any,
        common_name: str,
        on_close: Callable[[], object] | None = None,
        names: Sequence[str] = (),
    ) -> None:
        self._backend = backend
        self.common_name = common_name
        self.names = tuple(names) or (common_name,)  # every name the certificate gives its holder
        self._on_close = on_close

    @property
    def backend(self) -> Any:
        """The pyHanko signer object."""
        return self._backend

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> Signer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# --- fields -----------------------------------------------------------------------------------


def _read_bytes(path: StrPath) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SignatureError(f"Impossibile leggere il file «{path}»: {exc.strerror or exc}") from exc


def _open_reader(data: bytes, path: StrPath) -> Any:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(data), strict=False)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise SignatureError(f"Il file «{path}» non è un PDF leggibile: {exc}") from exc


def _write_atomically(path_out: StrPath, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: a crash never leaves half a PDF."""
    target = Path(path_out)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, target)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise SignatureError(f"Impossibile scrivere il file «{path_out}»: {exc.strerror or exc}") from exc


def add_empty_signature_fields(
    pdf: bytes | StrPath, out: StrPath, specs: Iterable[SignatureFieldSpec | tuple[str, int, Sequence[float]]]
) -> None:
    """Add empty, visible signature boxes (one per member) so each signer knows where to sign."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    data = pdf if isinstance(pdf, bytes) else _read_bytes(pdf)
    existing = {f.name for f in _fields_of(_open_reader(data, "PDF"))}
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for name, page, box in specs:
        if not name or "." in name:
            raise SignatureError(f"Nome del campo firma non valido: «{name}» (vuoto o con un punto).")
        if name in existing:
            raise SignatureError(f"Il campo firma «{name}» esiste già.")
        x1, y1, x2, y2 = (round(v) for v in box)
        append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=page, box=(x1, y1, x2, y2)))
        existing.add(name)
    buffer = io.BytesIO()
    writer.write(buffer)  # type: ignore[no-untyped-call]
    _write_atomically(out, buffer.getvalue())


def _fields_of(reader: Any) -> list[FieldInfo]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return [FieldInfo(str(name), value is not None) for name, value, _ref in enumerate_sig_fields(reader)]


def list_signature_fields(path: StrPath) -> list[FieldInfo]:
    """The signature fields of a PDF in document order, each marked signed or still empty."""
    return _fields_of(_open_reader(_read_bytes(path), path))


# --- signers ----------------------------------------------------------------------------------


def _cn(asn1_cert: Any) -> str:
    """The subject's common name, or the whole subject when there is none."""
    name = asn1_cert.subject.native
    return str(name.get("common_name") or asn1_cert.subject.human_friendly)


def _names(asn1_cert: Any) -> list[str]:
    return certificate_names(asn1_cert.subject.native) or [_cn(asn1_cert)]


def p12_signer(p12_path: StrPath, passphrase: bytes | None) -> Signer:
    """A signer from a PKCS#12 (.p12/.pfx) file; the passphrase is used to decrypt it and dropped."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign.signers import SimpleSigner

    data = _read_bytes(p12_path)
    try:
        pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SignatureError(_p12_problem(data, p12_path)) from exc
    signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
    if signer.signing_cert is None or signer.signing_key is None:
        raise SignatureError(f"Il file PKCS#12 «{p12_path}» non contiene una chiave con il suo certificato.")
    return Signer(signer, _cn(signer.signing_cert), names=_names(signer.signing_cert))


def _p12_problem(data: bytes, p12_path: StrPath) -> str:
    """Tell a wrong password from a file that is not PKCS#12 at all (cryptography says neither)."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018 - parsing is the check
    except (ValueError, TypeError):
        return f"Il file «{p12_path}» non è un file PKCS#12 valido."
    return f"Password del file PKCS#12 errata: «{p12_path}»."


def pkcs11_signer(
    lib_path: StrPath,
    token_label: str | None = None,
    slot: int | None = None,
    *,
    pin: str,
    key_label: str | None = None,
    cert_label: str | None = None,
) -> Signer:
    """A signer on a smart card or USB token: logs in now, so a wrong PIN is reported before signing.

    ``slot`` is the position in the module's slot list. Without labels, the one certificate on the
    token with nonRepudiation (the qualified signature certificate, not the CNS authentication one)
    is chosen.
    """
    from pkcs11 import exceptions as p11_errors
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    criteria = TokenCriteria(label=token_label) if token_label else None
    try:
        session = open_pkcs11_session(str(lib_path), slot_no=slot, token_criteria=criteria, user_pin=pin)
    except (
        p11_errors.PinIncorrect,
        p11_errors.PinLocked,
        p11_errors.PinInvalid,
        p11_errors.PinLenRange,
    ) as e:
        raise SignatureError("PIN errato o token bloccato.") from e
    except p11_errors.PKCS11Error as exc:
        where = f"«{token_label}»" if token_label else f"nello slot {slot}" if slot is not None else ""
        raise SignatureError(f"Token di firma {where} non disponibile: {exc or type(exc).__name__}.") from exc
    except (OSError, RuntimeError) as exc:
        raise SignatureError(f"Impossibile caricare la libreria PKCS#11 «{lib_path}»: {exc}") from exc
    try:
        cert_id = None if key_label or cert_label else _nonrepudiation_cert_id(session)
        signer = PKCS11Signer(session, cert_label=cert_label, key_label=key_label, cert_id=cert_id, key_id=cert_id)
        name = _cn(signer.signing_cert)  # loads key and certificate now, to fail early
        names = _names(signer.signing_cert)
    except p11_errors.PKCS11Error as exc:
        session.close()
        raise SignatureError(f"Chiave o certificato di firma non trovati sul token: {exc}") from exc
    except SignatureError:
        session.close()
        raise
    return Signer(signer, name, on_close=session.close, names=names)


def _nonrepudiation_cert_id(session: Any) -> bytes:
    from asn1crypto import x509
    from pkcs11 import Attribute, ObjectClass

    candidates: list[tuple[bytes, bool]] = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
        cert = x509.Certificate.load(obj[Attribute.VALUE])
        usage = cert.key_usage_value.native if cert.key_usage_value is not None else set()
        candidates.append((bytes(obj[Attribute.ID]), "non_repudiation" in usage))
    qualified = [cid for cid, nonrep in candidates if nonrep] or [cid for cid, _ in candidates]
    if len(qualified) != 1:
        found = "nessun certificato" if not qualified else f"{len(qualified)} certificati"
        raise SignatureError(f"Sul token c'è {found} di firma: indicare l'etichetta della chiave.")
    return qualified[0]


# --- signing ----------------------------------------------------------------------------------


def sign_pdf(
    path_in: StrPath, path_out: StrPath, field_name: str, signer: Signer, *, delegation: str | None = None
) -> None:
    """Sign the empty field ``field_name`` (PAdES B-B, SHA-256) as an incremental update.

    The earlier revisions are copied byte for byte, so signatures already present stay valid (and a
    PDF/A file stays PDF/A). ``path_out`` may equal ``path_in``: the file is replaced atomically.
    A field that names a person («Presidente - Laura Fumagalli») is signed only with that person's
    certificate, unless ``delegation`` states why another signs: the text goes into the signature's
    reason, where every verifier shows it.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError

    data = _read_bytes(path_in)
    fields = {f.name: f for f in _fields_of(_open_reader(data, path_in))}
    if field_name not in fields:
        known = ", ".join(f"«{n}»" for n in fields) or "nessuno"
        raise SignatureError(f"Il campo firma «{field_name}» non esiste in «{path_in}» (campi: {known}).")
    if fields[field_name].signed:
        raise SignatureError(f"Il campo firma «{field_name}» è già firmato: una firma non si sovrascrive.")
    problem = identity_problem(field_name, signer.names)
    reason = None
    if problem is not None:
        if not delegation or not delegation.strip():
            raise SignatureError(
                f"Firma rifiutata: {problem}. Chi firma al posto di un altro deve indicare la delega "
                "(estremi dell'atto), che resta scritta nella firma."
            )
        reason = f"Firma per delega: {delegation.strip()}"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason
    )
    from valutazione.reports.stamp import stamp_style

    role = field_name.rsplit(" - ", 1)[0] if " - " in field_name else field_name
    lines = [role, f"Firmato digitalmente da {signer.common_name}", format_time(datetime.now().astimezone())]
    if reason:
        lines.append(reason)
    pdf_signer = signers.PdfSigner(meta, signer=signer.backend, stamp_style=stamp_style(lines))
    buffer = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        pdf_signer.sign_pdf(writer, existing_fields_only=True, output=buffer)
    except SigningError as exc:
        raise SignatureError(f"Firma del campo «{field_name}» non riuscita: {exc}") from exc
    except Exception as exc:
        from pkcs11 import exceptions as p11_errors

        if isinstance(exc, p11_errors.PKCS11Error):
            raise SignatureError(f"Il token ha rifiutato la firma: {exc or type(exc).__name__}.") from exc
        raise
    _write_atomically(path_out, buffer.getvalue())


# --- verification -----------------------------------------------------------------------------


def _trust_roots(paths: Iterable[StrPath]) -> list[Any]:
    from pyhanko.keys import load_certs_from_pemder_data

    roots: list[Any] = []
    for path in paths:
        try:
            roots.extend(load_certs_from_pemder_data(Path(path).read_bytes()))
        except (OSError, ValueError, TypeError) as exc:
            raise SignatureError(f"Certificato di CA non leggibile: «{path}» ({exc}).") from exc
    return roots


def verify_pdf(path: StrPath, trust_roots: Iterable[StrPath] | None = None) -> list[SignatureReport]:
    """Check every signature of a PDF: integrity, validity, signer, trust, and what changed after it.

    Trust is judged only against ``trust_roots`` (never the operating system's web trust list,
    which says nothing about signature certificates); without them ``trusted`` is always False and no
    summary calls a signature valid. No network is used: revocation is not checked. A damaged
    signature is a finding with an Italian sentence, never an exception.
    """
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = _trust_roots(trust_roots or [])
    reader = _open_reader(_read_bytes(path), path)
    found: list[tuple[int, SignatureReport]] = []
    for order, (name, embedded) in enumerate(_embedded(reader, path)):
        if embedded is None:
            found.append((1_000_000 + order, _broken_report(name, None)))
            continue
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(embedded, signer_validation_context=context)
            report = _report(status, name, embedded, bool(roots))
        except Exception as exc:  # a malformed signature is a finding, not a crash
            logging.getLogger(__name__).debug("firma %s non verificabile", name, exc_info=exc)
            found.append((1_000_000 + order, _broken_report(name, embedded)))
            continue
        found.append((_revision(embedded, order), report))
    return [r for _, r in sorted(found, key=lambda x: x[0])]


def _embedded(reader: Any, path: StrPath) -> list[tuple[str, Any]]:
    """Each signed field with its parsed signature, or None where the signature cannot be parsed."""
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:
        raise SignatureError(f"I campi firma di «{path}» sono danneggiati e non si possono leggere.") from exc
    out: list[tuple[str, Any]] = []
    for name, sig_obj, sig_field in fields:
        try:
            if sig_obj.get_object().get("/Type", "/Sig") == "/DocTimeStamp":
                continue
            embedded: Any = EmbeddedPdfSignature(reader, sig_field, name)
            embedded.signer_cert  # noqa: B018 - parsing the certificate now is the check
        except Exception as exc:
            logging.getLogger(__name__).debug("firma %s illeggibile", name, exc_info=exc)
            embedded = None
        out.append((str(name), embedded))
    return out


def _revision(embedded: Any, order: int) -> int:
    try:
        return int(embedded.signed_revision)
    except Exception:
        return 1_000_000 + order


def _report(status: Any, field_name: str, embedded: Any, with_roots: bool) -> SignatureReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    entire_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    allowed = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}
    modified_after = not entire_file and not (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level in allowed and status.docmdp_ok
    )
    report = SignatureReport(
        field_name=field_name,
        signer_name=_cn(status.signing_cert),
        signing_time=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        modified_after=modified_after,
        covers_entire_file=entire_file,
        summary="",
        signer_matches=identity_problem(field_name, _names(status.signing_cert)) is None,
        reason=str(embedded.sig_object.get("/Reason", "") or ""),
    )
    return _with_summary(report, with_roots)


def _broken_report(field_name: str, embedded: Any) -> SignatureReport:
    try:
        name = _cn(embedded.signer_cert)
    except Exception:
        name = "firmatario non leggibile"
    summary = (
        f"Firma nel campo «{field_name}» DANNEGGIATA: i dati della firma (il blocco CMS con il certificato) "
        "non si possono leggere. Il documento non può considerarsi firmato in questo campo: chiedere una "
        "copia integra a chi l'ha firmato."
    )
    return SignatureReport(
        field_name=field_name,
        signer_name=name,
        signing_time=None,
        intact=False,
        valid=False,
        trusted=False,
        modified_after=True,
        covers_entire_file=False,
        summary=summary,
    )


def format_time(moment: datetime) -> str:
    """A signing time as Italians read it: Europe/Rome, day first (UTC if tzdata is missing)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        local = moment.astimezone(ZoneInfo("Europe/Rome"))
    except ZoneInfoNotFoundError:
        local = moment
    return local.strftime("%d/%m/%Y %H:%M:%S %Z").strip()


def _with_summary(r: SignatureReport, with_roots: bool) -> SignatureReport:
    """The Italian sentence: «valida» only for an intact signature of the field's person under a given CA."""
    parts = [f"Firma di {r.signer_name} nel campo «{r.field_name}»"]
    if r.signing_time is not None:
        parts.append(f"apposta il {format_time(r.signing_time)}")
    if not r.intact:
        verdict = "NON VALIDA: il contenuto firmato è stato alterato"
    elif not r.valid:
        verdict = "NON VALIDA: la firma crittografica non corrisponde al certificato"
    elif not r.signer_matches:
        problem = identity_problem(r.field_name, [r.signer_name]) or "firmatario diverso"
        verdict = f"NON VALIDA per questo campo: {problem}"
        if r.reason:
            verdict += f" (motivo dichiarato: «{r.reason}»)"
    elif r.modified_after:
        verdict = "integra, ma il documento è stato MODIFICATO dopo la firma"
    elif not with_roots:
        verdict = (
            "integra, ma NON verificata rispetto a un'autorità di certificazione attendibile "
            "(nessuna CA indicata): chiunque può creare un certificato con questo nome"
        )
    elif r.trusted:
        verdict = "valida; certificato attendibile"
    else:
        verdict = "integra, ma certificato NON attendibile rispetto alle CA indicate"
    if r.intact and r.valid and r.signer_matches and not r.modified_after:
        if r.reason:
            verdict += f"; motivo dichiarato: «{r.reason}»"
        if not r.covers_entire_file:
            verdict += "; seguita solo da altre firme o compilazioni consentite"
    summary = " ".join(parts) + ": " + verdict + "."
    return SignatureReport(**{**r.__dict__, "summary": summary})
