"""A throw-away PKI for signature tests: a CA, signers, PKCS#12 files, an NSS db, a SoftHSM2 token.

Real committees sign with qualified certificates on smart cards; the tests need the same shapes
(a CA trusted by the verifier, a signer certificate with nonRepudiation, a key that never leaves a
PKCS#11 token) without any network or real card. Everything here lives under a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class Issued:
    """A key pair with its certificate; ``pem_path`` holds the certificate alone."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    pem_path: Path

    @property
    def common_name(self) -> str:
        return str(self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def _name(common_name: str, organization: str = "Comune di Test") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_pem(cert: x509.Certificate, path: Path) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def make_ca(directory: Path, common_name: str = "CA di prova valutazione") -> Issued:
    """A self-signed root: basicConstraints CA:TRUE, keyUsage keyCertSign + cRLSign."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(common_name, "Autorita di certificazione di prova")
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert, _write_pem(cert, directory / "ca.pem"))


def issue_signer(
    ca: Issued, directory: Path, common_name: str, file_stem: str, *, non_repudiation: bool = True
) -> Issued:
    """A signer certificate: digitalSignature + nonRepudiation, EKU emailProtection (what NSS checks).

    ``non_repudiation=False`` gives an authentication-only certificate, like the CNS one that
    Italian smart cards carry beside the qualified signature certificate.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_repudiation,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(key, cert, _write_pem(cert, directory / f"{file_stem}.pem"))


def export_p12(signer: Issued, ca: Issued, path: Path, passphrase: bytes) -> Path:
    """The signer's key, certificate and CA chain in one password-protected PKCS#12 file."""
    data = pkcs12.serialize_key_and_certificates(
        name=signer.common_name.encode(),
        key=signer.key,
        cert=signer.cert,
        cas=[ca.cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )
    path.write_bytes(data)
    return path


# --- poppler pdfsig with an NSS database -------------------------------------------------------


def tools_missing(*names: str) -> list[str]:
    """The command-line tools among ``names`` that are not on PATH."""
    return [name for name in names if shutil.which(name) is None]


def make_nss_db(directory: Path, ca_pem: Path) -> Path:
    """An NSS database (sql: format) that trusts ``ca_pem`` for signing, as pdfsig needs."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{directory}", "-n", "testca", "-t", "CT,C,C", "-i", str(ca_pem)],
        check=True,
        capture_output=True,
    )
    return directory


@dataclass(frozen=True)
class PdfsigSignature:
    """One ``Signature #n`` block of pdfsig's output, as key -> value."""

    fields: dict[str, str]

    @property
    def field_name(self) -> str:
        return self.fields.get("Signature Field Name", "")

    @property
    def common_name(self) -> str:
        return self.fields.get("Signer Certificate Common Name", "")

    @property
    def signature_valid(self) -> bool:
        return self.fields.get("Signature Validation", "") == "Signature is Valid."

    @property
    def certificate_trusted(self) -> bool:
        return self.fields.get("Certificate Validation", "") == "Certificate is Trusted."


def run_pdfsig(pdf: Path, nss_dir: Path) -> tuple[str, list[PdfsigSignature]]:
    """Run poppler's ``pdfsig`` against ``nss_dir`` and parse one entry per signature."""
    proc = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss_dir}", str(pdf)], capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    signatures: list[PdfsigSignature] = []
    current: dict[str, str] | None = None
    for line in output.splitlines():
        if re.match(r"^Signature #\d+:", line):
            current = {}
            signatures.append(PdfsigSignature(current))
            continue
        match = re.match(r"^\s+- ([^:]+): (.*)$", line)
        if current is not None and match:
            current[match.group(1).strip()] = match.group(2).strip()
    return output, signatures


# --- SoftHSM2 token ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SoftToken:
    """An initialised SoftHSM2 token holding one signer's key (label == ``key_label``) and cert."""

    module: Path
    label: str
    pin: str
    key_label: str
    conf: Path


def init_softhsm_token(directory: Path, label: str, pin: str, so_pin: str) -> Path:
    """Write a SoftHSM2 config rooted in ``directory``, init a token; returns the config path.

    The caller must put the path in ``SOFTHSM2_CONF`` before the module is first loaded in this
    process: SoftHSM reads it once, at C_Initialize.
    """
    tokendir = directory / "tokens"
    tokendir.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
        check=True,
        capture_output=True,
        env=env,
    )
    return conf


def import_into_token(
    module: Path, token_label: str, pin: str, signer: Issued, key_label: str, object_id: bytes
) -> None:
    """Store the private key and certificate as token objects sharing label and CKA_ID.

    python-pkcs11 (a dependency of pyhanko[pkcs11]) is used instead of opensc's pkcs11-tool so that
    no extra system package is needed.
    """
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    key_der = signer.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    cert_der = signer.cert.public_bytes(serialization.Encoding.DER)
    lib = pkcs11.lib(str(module))
    token = lib.get_token(token_label=token_label)
    with token.open(rw=True, user_pin=pin) as session:
        key_attrs = decode_rsa_private_key(key_der)
        key_attrs.update(
            {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.SIGN: True,
                Attribute.LABEL: key_label,
                Attribute.ID: object_id,
            }
        )
        session.create_object(key_attrs)
        cert_attrs = decode_x509_certificate(cert_der)
        cert_attrs.update({Attribute.TOKEN: True, Attribute.LABEL: key_label, Attribute.ID: object_id})
        cert_attrs[Attribute.CLASS] = ObjectClass.CERTIFICATE
        session.create_object(cert_attrs)
