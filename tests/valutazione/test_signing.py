"""PAdES signing of the committee's PDFs: three signers in sequence, tampering, tokens, CLI.

Every signed file is checked by pyHanko and, where installed, by an independent reader (poppler's
pdfsig with an NSS database that trusts the test CA).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pki import (
    SOFTHSM_MODULE,
    Issued,
    SoftToken,
    export_p12,
    import_into_token,
    init_softhsm_token,
    issue_signer,
    make_ca,
    make_nss_db,
    run_pdfsig,
    tools_missing,
)
from valutazione.cli import common as cli_common
from valutazione.cli import sign as cli_sign
from valutazione.signer_identity import field_person, same_person
from valutazione.signing import (
    INVALID,
    UNVERIFIED,
    VALID,
    SignatureError,
    SignatureFieldSpec,
    add_empty_signature_fields,
    list_signature_fields,
    overall,
    p12_signer,
    pkcs11_signer,
    sign_pdf,
    verify_pdf,
)

PASSWORD = b"segreto-di-prova"
FIELDS = [
    SignatureFieldSpec("Presidente - Mario Rossi", 0, (60, 120, 280, 180)),
    SignatureFieldSpec("Componente - Nicolò Bianchi", 0, (320, 120, 540, 180)),
    SignatureFieldSpec("Segretario - Anna Verdi", 0, (60, 40, 280, 100)),
]
NAMES = [field.name for field in FIELDS]
BODY = b"Verbale della seduta n. 1 della commissione di valutazione"

needs_pdfsig = pytest.mark.skipif(
    bool(tools_missing("pdfsig", "certutil")),
    reason="poppler-utils (pdfsig) e libnss3-tools (certutil) servono per la verifica indipendente",
)
needs_softhsm = pytest.mark.skipif(
    bool(tools_missing("softhsm2-util")) or not SOFTHSM_MODULE.exists(),
    reason="softhsm2 (softhsm2-util e libsofthsm2.so) serve per il token PKCS#11 di prova",
)


@dataclass(frozen=True)
class Pki:
    ca: Issued
    signers: list[Issued]
    p12: list[Path]
    other_ca: Issued
    directory: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = make_ca(directory)
    signers = [issue_signer(ca, directory, name.split(" - ")[1], f"signer{i}") for i, name in enumerate(NAMES)]
    p12 = [export_p12(s, ca, directory / f"signer{i}.p12", PASSWORD) for i, s in enumerate(signers)]
    other_dir = directory / "other"
    other_dir.mkdir()
    return Pki(ca, signers, p12, make_ca(other_dir, "Altra CA"), directory)


@pytest.fixture(scope="module")
def nss_dir(pki: Pki) -> Path:
    if tools_missing("certutil"):
        pytest.skip("certutil (libnss3-tools) non installato")
    return make_nss_db(pki.directory / "nss", pki.ca.pem_path)


def minutes_pdf() -> bytes:
    """A one-page minutes with uncompressed content, so a test can alter a known signed byte."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pageCompression=0)
    page.drawString(60, 760, BODY.decode())
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    path = tmp_path / "verbale.pdf"
    add_empty_signature_fields(minutes_pdf(), path, FIELDS)
    return path


@pytest.fixture
def signed(blank: Path, pki: Pki) -> Path:
    for name, p12 in zip(NAMES, pki.p12, strict=True):
        with p12_signer(p12, PASSWORD) as signer:
            sign_pdf(blank, blank, name, signer)
    return blank


def flip_body_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(BODY)
    data[at] ^= 0x01  # "V" becomes "W" inside the signed page content
    path.write_bytes(bytes(data))


def test_empty_fields_are_listed_unsigned(blank: Path) -> None:
    """The minutes carry one empty signature field per member, in order."""
    assert [(f.name, f.signed) for f in list_signature_fields(blank)] == [(n, False) for n in NAMES]


def test_three_signers_in_sequence_all_valid_and_trusted(signed: Path, pki: Pki) -> None:
    """Each incremental signature keeps the earlier ones intact, valid, trusted and unmodified."""
    reports = verify_pdf(signed, [pki.ca.pem_path])
    assert [(r.field_name, r.signer_name) for r in reports] == [(n, n.split(" - ")[1]) for n in NAMES]
    for r in reports:
        assert (r.intact, r.valid, r.trusted, r.modified_after) == (True, True, True, False), r.summary
        assert r.signing_time is not None
        assert "valida" in r.summary and "certificato attendibile" in r.summary
    assert [r.covers_entire_file for r in reports] == [False, False, True]
    assert all(f.signed for f in list_signature_fields(signed))


@needs_pdfsig
def test_pdfsig_reports_every_signature_valid_and_trusted(signed: Path, nss_dir: Path) -> None:
    """An independent reader (poppler + NSS trusting the CA) accepts all three signatures."""
    output, signatures = run_pdfsig(signed, nss_dir)
    assert [s.field_name for s in signatures] == NAMES, output
    assert all(s.signature_valid and s.certificate_trusted for s in signatures), output


def test_without_trusted_ca_signatures_are_valid_but_not_trusted(signed: Path, pki: Pki) -> None:
    """Trust comes only from the CAs given: none, or a foreign one, never makes a signer trusted."""
    for roots in (None, [pki.other_ca.pem_path]):
        reports = verify_pdf(signed, roots)
        assert all(r.ok and not r.trusted for r in reports)
        assert overall(reports, roots is not None) != VALID
    assert "NON verificata" in verify_pdf(signed, None)[0].summary


def test_without_trust_anchor_nothing_is_called_valid(signed: Path) -> None:
    """Without a CA no summary says «valida»: intact, not verified against a trusted authority."""
    reports = verify_pdf(signed, None)
    assert overall(reports, False) == UNVERIFIED
    for r in reports:
        assert "valida" not in r.summary.replace("NON VALIDA", "")
        assert "integra, ma NON verificata rispetto a un'autorità di certificazione attendibile" in r.summary


def test_self_signed_certificate_is_never_valid(blank: Path, tmp_path: Path) -> None:
    """A self-made certificate in the chair's name: intact, but never «valida», neither alone nor with a CA."""
    fake_ca = make_ca(tmp_path, "Mario Rossi")
    fake = issue_signer(fake_ca, tmp_path, "Mario Rossi", "fake")
    p12 = export_p12(fake, fake_ca, tmp_path / "fake.p12", PASSWORD)
    with p12_signer(p12, PASSWORD) as signer:
        sign_pdf(blank, blank, NAMES[0], signer)
    assert overall(verify_pdf(blank, None), False) == UNVERIFIED
    assert run_cli("verify", blank) == 2


def test_another_members_certificate_is_refused_when_signing(blank: Path, pki: Pki) -> None:
    """Signing a member's box with another member's certificate is refused without a stated delegation."""
    before = blank.read_bytes()
    with p12_signer(pki.p12[1], PASSWORD) as signer, pytest.raises(SignatureError, match="il campo è di Mario Rossi"):
        sign_pdf(blank, blank, NAMES[0], signer)
    assert blank.read_bytes() == before
    with p12_signer(pki.p12[1], PASSWORD) as signer, pytest.raises(SignatureError, match="delega"):
        sign_pdf(blank, blank, NAMES[0], signer, delegation="   ")


@pytest.fixture
def delegated(blank: Path, pki: Pki) -> Path:
    """Nicolò Bianchi signs Mario Rossi's box, stating a delegation."""
    with p12_signer(pki.p12[1], PASSWORD) as signer:
        sign_pdf(blank, blank, NAMES[0], signer, delegation="decreto del dirigente n. 5/2026")
    return blank


def test_certificate_not_matching_the_field_is_flagged_not_valid(delegated: Path, pki: Pki) -> None:
    """A trusted certificate of another person in a named field: flagged, not valid, delegation shown."""
    (report,) = verify_pdf(delegated, [pki.ca.pem_path])
    assert report.intact and report.valid and report.trusted
    assert not report.signer_matches and not report.ok
    assert "NON VALIDA per questo campo" in report.summary and "Nicolò Bianchi" in report.summary
    assert "decreto del dirigente n. 5/2026" in report.summary
    assert overall([report], True) == INVALID
    assert run_cli("verify", delegated, "--ca", pki.ca.pem_path) == 1


@needs_pdfsig
def test_pdfsig_sees_the_other_members_certificate(delegated: Path, nss_dir: Path) -> None:
    """poppler independently shows the signer is not the person the field names (what our check flags)."""
    output, signatures = run_pdfsig(delegated, nss_dir)
    assert [(s.field_name, s.common_name) for s in signatures][0] == (NAMES[0], "Nicolò Bianchi"), output
    assert signatures[0].signature_valid, output


def test_names_match_whatever_the_case_accents_and_order() -> None:
    """A field's person matches the certificate however the name is written (FUMAGALLI LAURA, Nicolo)."""
    assert same_person("Laura Fumagalli", ["FUMAGALLI LAURA"])
    assert same_person("Nicolò Bianchi", ["NICOLO' BIANCHI/BNCNCL80A01F205X"])
    assert not same_person("Laura Fumagalli", ["Laura Fumagalli Rossi"])
    assert not same_person("Laura Fumagalli", ["Marco Brambilla"])
    assert field_person("Presidente - Laura Fumagalli") == "Laura Fumagalli"
    assert field_person("Firma1") is None


def _damage_signature(path: Path, how: str) -> None:
    data = path.read_bytes()
    match = re.search(rb"/Contents <([0-9a-fA-F]+)>", data)
    assert match is not None
    start, end = match.span(1)
    # «garbled» overwrites the CMS block's content type and the header after it (bytes 4 to 24, the same place
    # whatever the keys): at bytes 100 to 120 it hit the certificate in some sessions' random key material,
    # which pyHanko reports as an invalid signature rather than an unreadable one, and the test failed by chance
    blob = b"0" * (end - start) if how == "zeros" else data[start : start + 8] + b"F" * 40 + data[start + 48 : end]
    path.write_bytes(data[:start] + blob + data[end:])


@pytest.mark.parametrize("how", ["zeros", "garbled"])
def test_damaged_signature_gets_an_italian_message(
    signed: Path, pki: Pki, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged signature blob: an Italian finding (DANNEGGIATA), exit 1, never a traceback."""
    _damage_signature(signed, how)
    reports = verify_pdf(signed, [pki.ca.pem_path])
    assert len(reports) == 3
    broken = [r for r in reports if "DANNEGGIATA" in r.summary]
    assert len(broken) == 1 and not broken[0].ok
    assert run_cli("verify", signed, "--ca", pki.ca.pem_path) == 1
    out = capsys.readouterr()
    assert "DANNEGGIATA" in out.out and "Traceback" not in out.err


def test_flipped_byte_is_detected_by_pyhanko(signed: Path, pki: Pki) -> None:
    """One altered byte of signed content breaks the integrity of every signature covering it."""
    flip_body_byte(signed)
    reports = verify_pdf(signed, [pki.ca.pem_path])
    assert len(reports) == 3
    assert not any(r.intact or r.ok for r in reports)
    assert all("alterato" in r.summary for r in reports)


@needs_pdfsig
def test_flipped_byte_is_detected_by_pdfsig(signed: Path, nss_dir: Path) -> None:
    """poppler too reports the altered file as not valid."""
    flip_body_byte(signed)
    output, signatures = run_pdfsig(signed, nss_dir)
    assert len(signatures) == 3, output
    assert all("Mismatch" in s.fields.get("Signature Validation", "") for s in signatures), output


def test_edit_appended_after_signing_is_reported(signed: Path, pki: Pki) -> None:
    """A later incremental update that changes the page is flagged as a modification after signing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with signed.open("r+b") as f:
        writer = IncrementalPdfFileWriter(f)
        stream = writer.add_object(generic.StreamObject(stream_data=b"0 0 m 100 100 l S"))
        writer.add_stream_to_page(0, stream)
        writer.write_in_place()
    reports = verify_pdf(signed, [pki.ca.pem_path])
    assert all(r.intact and r.valid and r.modified_after and not r.ok for r in reports)
    assert all("MODIFICATO dopo la firma" in r.summary for r in reports)


def test_signing_an_already_signed_field_is_refused(signed: Path, pki: Pki) -> None:
    """A signature is never overwritten: the field must be empty."""
    with p12_signer(pki.p12[0], PASSWORD) as signer, pytest.raises(SignatureError, match="già firmato"):
        sign_pdf(signed, signed, NAMES[0], signer)


def test_signing_a_missing_field_is_refused_with_the_known_fields(blank: Path, pki: Pki) -> None:
    """Naming a field that does not exist fails and lists the fields there are; no field is created."""
    before = blank.read_bytes()
    with p12_signer(pki.p12[0], PASSWORD) as signer, pytest.raises(SignatureError) as info:
        sign_pdf(blank, blank, "Presidente - Altro", signer)
    assert "«Presidente - Altro» non esiste" in str(info.value) and NAMES[0] in str(info.value)
    assert blank.read_bytes() == before


def test_signing_to_another_file_leaves_the_input_untouched(blank: Path, pki: Pki, tmp_path: Path) -> None:
    """With a separate output the original stays as it was."""
    before = blank.read_bytes()
    out = tmp_path / "firmato.pdf"
    with p12_signer(pki.p12[1], PASSWORD) as signer:
        sign_pdf(blank, out, NAMES[1], signer)
    assert blank.read_bytes() == before
    assert [r.field_name for r in verify_pdf(out, [pki.ca.pem_path]) if r.ok and r.trusted] == [NAMES[1]]


def test_wrong_p12_password_has_a_clear_message(pki: Pki, tmp_path: Path) -> None:
    """A wrong PKCS#12 password is named as such, and a non-PKCS#12 file as such."""
    with pytest.raises(SignatureError, match="Password del file PKCS#12 errata"):
        p12_signer(pki.p12[0], b"sbagliata")
    junk = tmp_path / "non.p12"
    junk.write_bytes(b"not a pfx")
    with pytest.raises(SignatureError, match="non è un file PKCS#12 valido"):
        p12_signer(junk, PASSWORD)


def test_field_names_with_dots_or_duplicates_are_refused(blank: Path, tmp_path: Path) -> None:
    """A dot would split the field name in PDF, and two boxes must not share a name."""
    with pytest.raises(SignatureError, match="non valido"):
        add_empty_signature_fields(minutes_pdf(), tmp_path / "x.pdf", [("Dott. Rossi", 0, (0, 0, 10, 10))])
    with pytest.raises(SignatureError, match="esiste già"):
        add_empty_signature_fields(blank, tmp_path / "y.pdf", [FIELDS[0]])


# --- PKCS#11 through SoftHSM2 ------------------------------------------------------------------

TOKEN_LABEL = "Firma Presidente"
PIN = "123456"


@pytest.fixture(scope="session")
def soft_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftToken]:
    """One token per test process: SoftHSM reads SOFTHSM2_CONF only once, when first loaded."""
    if tools_missing("softhsm2-util") or not SOFTHSM_MODULE.exists():
        pytest.skip("softhsm2 non installato")
    directory = tmp_path_factory.mktemp("softhsm")
    previous = os.environ.get("SOFTHSM2_CONF")
    conf = init_softhsm_token(directory, TOKEN_LABEL, PIN, "87654321")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    ca = make_ca(directory)
    president = issue_signer(ca, directory, "Mario Rossi", "president")
    auth_only = issue_signer(ca, directory, "Mario Rossi (CNS)", "cns", non_repudiation=False)
    import_into_token(SOFTHSM_MODULE, TOKEN_LABEL, PIN, auth_only, "CNS0", b"\x01")
    import_into_token(SOFTHSM_MODULE, TOKEN_LABEL, PIN, president, "DS0", b"\x02")
    yield SoftToken(SOFTHSM_MODULE, TOKEN_LABEL, PIN, "DS0", conf)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session")
def token_ca(soft_token: SoftToken) -> Path:
    return soft_token.conf.parent / "ca.pem"


@needs_softhsm
def test_token_signature_is_valid_for_pyhanko_and_pdfsig(
    blank: Path, pki: Pki, soft_token: SoftToken, token_ca: Path, tmp_path: Path
) -> None:
    """A key that never leaves the token signs like a PKCS#12 one, beside PKCS#12 co-signers."""
    with pkcs11_signer(soft_token.module, soft_token.label, pin=soft_token.pin) as signer:
        assert signer.common_name == "Mario Rossi"  # the nonRepudiation certificate, not the CNS one
        sign_pdf(blank, blank, NAMES[0], signer)
    for name, p12 in zip(NAMES[1:], pki.p12[1:], strict=True):
        with p12_signer(p12, PASSWORD) as signer:
            sign_pdf(blank, blank, name, signer)
    reports = verify_pdf(blank, [token_ca, pki.ca.pem_path])
    assert all(r.ok and r.trusted for r in reports) and len(reports) == 3
    if not tools_missing("pdfsig", "certutil"):
        nss = make_nss_db(tmp_path / "nss", token_ca)
        output, sigs = run_pdfsig(blank, nss)
        assert sigs[0].field_name == NAMES[0] and sigs[0].signature_valid and sigs[0].certificate_trusted, output


@needs_softhsm
def test_token_chosen_by_slot_and_key_by_label(blank: Path, soft_token: SoftToken, token_ca: Path) -> None:
    """A slot position and an explicit key label select the token and key without a token label."""
    import pkcs11

    labels = [slot.get_token().label for slot in pkcs11.lib(str(soft_token.module)).get_slots()]
    slot = labels.index(soft_token.label)
    with pkcs11_signer(soft_token.module, slot=slot, pin=soft_token.pin, key_label="DS0") as signer:
        sign_pdf(blank, blank, NAMES[0], signer)
    assert verify_pdf(blank, [token_ca])[0].trusted


@needs_softhsm
def test_wrong_pin_has_a_clear_message(soft_token: SoftToken) -> None:
    """A wrong PIN is reported in Italian before anything is signed."""
    with pytest.raises(SignatureError, match="PIN errato o token bloccato"):
        pkcs11_signer(soft_token.module, soft_token.label, pin="000000")


@needs_softhsm
def test_unknown_token_has_a_clear_message(soft_token: SoftToken) -> None:
    """A token label that is not plugged in is named in the message."""
    with pytest.raises(SignatureError, match="«Altro token» non disponibile"):
        pkcs11_signer(soft_token.module, "Altro token", pin=soft_token.pin)


# --- command line ------------------------------------------------------------------------------


def run_cli(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="valutazione")
    cli_sign.add_parser(parser.add_subparsers())
    args = parser.parse_args([str(a) for a in argv])
    return int(args.func(args))


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password.txt"
    path.write_bytes(PASSWORD + b"\n")
    return path


def test_cli_sign_then_verify_exit_codes(
    blank: Path, pki: Pki, password_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sign returns 0; verify returns 0 only when all signatures hold and chain to the given CA."""
    for name, p12 in zip(NAMES, pki.p12, strict=True):
        assert run_cli("sign", blank, "--field", name, "--p12", p12, "--password-file", password_file) == 0
    assert run_cli("verify", blank, "--ca", pki.ca.pem_path) == 0
    assert "Attendibile: sì" in capsys.readouterr().out
    assert run_cli("verify", blank) == 2
    out = capsys.readouterr().out
    assert "Attendibile: non verificata" in out and "NON verificate" in out
    assert run_cli("verify", blank, "--ca", pki.other_ca.pem_path, "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and [s["trusted"] for s in result["signatures"]] == [False] * 3
    flip_body_byte(blank)
    assert run_cli("verify", blank, "--ca", pki.ca.pem_path) == 1


def test_cli_sign_writes_output_file(
    blank: Path, pki: Pki, password_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o writes the signed copy elsewhere, leaves the input unsigned; verify names the empty fields."""
    out = tmp_path / "copia.pdf"
    argv = ["sign", blank, "--field", NAMES[0], "--p12", pki.p12[0], "--password-file", password_file]
    assert run_cli(*argv, "-o", out) == 0
    assert not any(f.signed for f in list_signature_fields(blank))
    assert [f.signed for f in list_signature_fields(out)] == [True, False, False]
    capsys.readouterr()
    assert run_cli("verify", out, "--ca", pki.ca.pem_path) == 0
    assert f"Campi firma ancora vuoti: «{NAMES[1]}», «{NAMES[2]}»" in capsys.readouterr().out


def test_cli_asks_the_password_when_no_file_is_given(blank: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --password-file the secret is asked without echo (getpass), never read from argv."""
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return PASSWORD.decode()

    monkeypatch.setattr(cli_common.getpass, "getpass", fake_getpass)
    assert run_cli("sign", blank, "--field", NAMES[2], "--p12", pki.p12[2]) == 0
    assert prompts == ["Password del file PKCS#12: "]
    assert list_signature_fields(blank)[2].signed


def test_cli_errors_exit_2_with_italian_message(
    blank: Path, pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong password, missing field, unreadable file or CA: exit 2 and the reason on stderr."""
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("sbagliata\n")
    assert run_cli("sign", blank, "--field", NAMES[0], "--p12", pki.p12[0], "--password-file", wrong) == 2
    assert "Password del file PKCS#12 errata" in capsys.readouterr().err
    good = tmp_path / "good.txt"
    good.write_bytes(PASSWORD)
    assert run_cli("sign", blank, "--field", "Nessuno", "--p12", pki.p12[0], "--password-file", good) == 2
    assert "non esiste" in capsys.readouterr().err
    assert run_cli("verify", tmp_path / "assente.pdf") == 2
    assert "Impossibile leggere" in capsys.readouterr().err
    assert run_cli("verify", blank, "--ca", wrong) == 2
    assert "Certificato di CA non leggibile" in capsys.readouterr().err


def test_cli_verify_unsigned_pdf_is_not_ok(blank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PDF with no signature never passes verification."""
    assert run_cli("verify", blank) == 1
    assert "Nessuna firma" in capsys.readouterr().out


@needs_softhsm
def test_cli_sign_with_token(blank: Path, soft_token: SoftToken, token_ca: Path, tmp_path: Path) -> None:
    """The CLI signs through PKCS#11 with the PIN read from --password-file."""
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(soft_token.pin + "\n")
    argv = [
        "sign",
        blank,
        "--field",
        NAMES[0],
        "--pkcs11-lib",
        soft_token.module,
        "--token",
        soft_token.label,
    ]
    assert run_cli(*argv, "--password-file", pin_file) == 0
    reports = verify_pdf(blank, [token_ca])
    assert reports[0].ok and reports[0].trusted


def test_cli_sign_refuses_another_persons_box_without_delega(
    blank: Path, pki: Pki, password_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CLI: signing someone else's box exits 2 with the reason; with --delega it signs and says so."""
    argv = ["sign", blank, "--field", NAMES[0], "--p12", pki.p12[1], "--password-file", password_file]
    assert run_cli(*argv) == 2
    assert "Firma rifiutata: il campo è di Mario Rossi" in capsys.readouterr().err
    assert not list_signature_fields(blank)[0].signed
    assert run_cli(*argv, "--delega", "decreto n. 5/2026") == 0
    assert "Firma per delega: decreto n. 5/2026" in capsys.readouterr().out
    assert run_cli("verify", blank, "--ca", pki.ca.pem_path, "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["signatures"][0]["signer_matches_field"] is False
    assert result["signatures"][0]["reason"] == "Firma per delega: decreto n. 5/2026"
