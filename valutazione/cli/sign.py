"""The ``sign`` and ``verify`` subcommands; ``valutazione.cli`` registers them with :func:`add_parser`.

A secretary signs the minutes from a script or a terminal with a PKCS#12 file or a smart card, and
anyone checks a signed PDF before publishing or archiving it. Exit codes are for scripts:
``verify`` returns 0 only when every signature holds and chains to a CA given with ``--ca``, 1 when one
does not hold, 2 when it could not check: an error, or no ``--ca`` (signatures intact but unverified).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from valutazione import signing
from valutazione.cli.common import ask_secret, index, option, read_secret_file
from valutazione.errors import ValutazioneError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``sign`` and ``verify``; each sets ``func(args) -> int`` for the dispatcher."""
    sign = subparsers.add_parser(
        "sign",
        help="firma digitalmente (PAdES) un campo firma di un PDF",
        description="Firma un campo firma vuoto del PDF con un file PKCS#12 o un token PKCS#11 "
        "(smart card). La firma è aggiunta come aggiornamento incrementale: le firme precedenti restano "
        "valide. Senza -o il PDF firmato sostituisce quello di partenza.",
    )
    sign.add_argument("pdf", metavar="PDF", type=Path, help="il PDF da firmare")
    option(
        sign, "--campo", "--field", dest="field", required=True, metavar="NOME", help="nome del campo firma da riempire"
    )
    source = sign.add_mutually_exclusive_group(required=True)
    source.add_argument("--p12", type=Path, metavar="FILE", help="file PKCS#12 (.p12/.pfx) con chiave e certificato")
    source.add_argument("--pkcs11-lib", type=Path, metavar="LIB", help="libreria PKCS#11 del lettore/token")
    sign.add_argument("--token", metavar="ETICHETTA", help="etichetta del token PKCS#11")
    sign.add_argument("--slot", type=index, metavar="N", help="posizione dello slot PKCS#11 (0 = primo)")
    sign.add_argument(
        "--password-file",
        type=Path,
        metavar="FILE",
        help="file con la password del PKCS#12 o il PIN del token (prima riga); senza, viene chiesta",
    )
    sign.add_argument("-o", "--output", type=Path, metavar="OUT", help="PDF firmato (predefinito: sovrascrive PDF)")
    sign.add_argument(
        "--delega",
        metavar="ESTREMI",
        help="firma il campo di un'altra persona per delega (estremi dell'atto): il testo resta nella firma",
    )
    sign.set_defaults(func=run_sign)

    verify = subparsers.add_parser(
        "verify",
        help="verifica le firme digitali di un PDF",
        description="Verifica ogni firma: integrità, validità crittografica, attendibilità rispetto alle CA "
        "indicate, corrispondenza tra certificato e persona del campo, modifiche successive. Esito 0 se tutte "
        "le firme sono valide e attendibili rispetto alle CA indicate con --ca; 1 se una firma non è valida; "
        "2 senza --ca (firme integre ma non verificate) o in caso di errore.",
    )
    verify.add_argument("pdf", metavar="PDF", type=Path, help="il PDF da verificare")
    verify.add_argument(
        "--ca",
        action="append",
        type=Path,
        default=[],
        metavar="CERT",
        help="certificato di CA attendibile (PEM o DER)",
    )
    verify.add_argument("--json", action="store_true", help="stampa il risultato in JSON")
    verify.set_defaults(func=run_verify)


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs English warnings with tracebacks for findings (e.g. an untrusted chain) that
    the Italian report already states; on a terminal they would bury it."""
    logger = logging.getLogger("pyhanko")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _secret(args: argparse.Namespace, prompt: str) -> str:
    """The first line of --password-file, else asked on the terminal; never echoed nor kept."""
    if args.password_file is not None:
        return read_secret_file(args.password_file)
    return ask_secret(prompt)


def run_sign(args: argparse.Namespace) -> int:
    """Sign one field; the error, if any, goes to stderr in Italian."""
    try:
        if args.p12 is not None:
            if args.token is not None or args.slot is not None:
                raise ValutazioneError("--token e --slot valgono solo con --pkcs11-lib.")
            password = _secret(args, "Password del file PKCS#12: ")
            signer = signing.p12_signer(args.p12, password.encode("utf-8") if password else None)
        else:
            pin = _secret(args, "PIN del token: ")
            signer = signing.pkcs11_signer(args.pkcs11_lib, token_label=args.token, slot=args.slot, pin=pin)
        with signer, _quiet_pyhanko():
            out = args.output if args.output is not None else args.pdf
            signing.sign_pdf(args.pdf, out, args.field, signer, delegation=args.delega)
    except ValutazioneError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"Campo «{args.field}» firmato da {signer.common_name}: {out}")
    if args.delega:
        print(f"Firma per delega: {args.delega}")
    return EXIT_OK


def _yes_no(value: bool) -> str:
    return "sì" if value else "no"


def run_verify(args: argparse.Namespace) -> int:
    """Print every signature and return 0 only if all hold (and are trusted when --ca is given)."""
    try:
        with _quiet_pyhanko():
            reports = signing.verify_pdf(args.pdf, args.ca or None)
        empty = [f.name for f in signing.list_signature_fields(args.pdf) if not f.signed]
    except ValutazioneError as exc:
        print(f"Errore: {exc}", file=sys.stderr)
        return EXIT_ERROR
    with_ca = bool(args.ca)
    verdict = signing.overall(reports, with_ca)
    if args.json:
        result = {
            "ok": verdict == signing.VALID,
            "esito": verdict,
            "signatures": [_as_json(r) for r in reports],
            "empty_fields": empty,
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_text(reports, with_ca)
        if empty:
            print("Campi firma ancora vuoti: " + ", ".join(f"«{name}»" for name in empty))
        print(_VERDICTS[verdict])
    return {signing.VALID: EXIT_OK, signing.INVALID: EXIT_INVALID}.get(verdict, EXIT_ERROR)


_VERDICTS = {
    signing.VALID: "Esito: firme valide e attendibili rispetto alle CA indicate.",
    signing.INVALID: "Esito: il documento NON è validamente firmato (vedi sopra).",
    signing.UNVERIFIED: "Esito: firme integre ma NON verificate rispetto a un'autorità di certificazione "
    "attendibile; indicare il certificato della CA con --ca.",
}


def _as_json(r: signing.SignatureReport) -> dict[str, Any]:
    return {
        "field": r.field_name,
        "signer": r.signer_name,
        "signing_time": r.signing_time.isoformat() if r.signing_time else None,
        "intact": r.intact,
        "valid": r.valid,
        "trusted": r.trusted,
        "modified_after": r.modified_after,
        "covers_entire_file": r.covers_entire_file,
        "signer_matches_field": r.signer_matches,
        "reason": r.reason,
        "summary": r.summary,
    }


def _print_text(reports: list[signing.SignatureReport], with_ca: bool) -> None:
    if not reports:
        print("Nessuna firma digitale nel documento.")
    for n, r in enumerate(reports, start=1):
        when = signing.format_time(r.signing_time) if r.signing_time else "non indicata"
        trusted = _yes_no(r.trusted) if with_ca else "non verificata (nessuna --ca)"
        print(f"Firma {n}: campo «{r.field_name}»")
        print(f"  Firmatario: {r.signer_name}")
        print(f"  Data della firma: {when}")
        print(f"  Integra: {_yes_no(r.intact)}")
        print(f"  Firma crittografica corrispondente al certificato: {_yes_no(r.valid)}")
        print(f"  Attendibile: {trusted}")
        print(f"  Certificato della persona indicata nel campo: {_yes_no(r.signer_matches)}")
        print(f"  Modificato dopo la firma: {_yes_no(r.modified_after)}")
        print(f"  {r.summary}")
