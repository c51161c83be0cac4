"""What every command group shares: Italian names with hidden English aliases, arguments parsed the
Italian way, secrets read safely, destinations checked before writing, the actor of a decision.

Naming rule for what users type: every flag and subcommand is Italian. The English names of earlier
versions still work, so existing scripts keep running, but ``--help`` shows only the Italian ones
(``option`` and ``command`` register the old spellings as hidden aliases).
"""

from __future__ import annotations

import argparse
import copy
import getpass
import os
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from valutazione.destinations import prepare_output
from valutazione.errors import RuleViolation, ValutazioneError, file_access_error
from valutazione.server.url import is_server_url
from valutazione.services import committee

# SQLite integers are 64-bit: a larger number in an argument would reach the database as an OverflowError.
MAX_NUMBER = 2**63 - 1


class HelpFormatter(argparse.HelpFormatter):
    """Leaves out of ``--help`` the option strings an action marks as ``hidden_aliases``."""

    def _format_action_invocation(self, action: argparse.Action) -> str:
        hidden = getattr(action, "hidden_aliases", ())
        if hidden:
            action = copy.copy(action)
            action.option_strings = [o for o in action.option_strings if o not in hidden]
        return super()._format_action_invocation(action)


class CliParser(argparse.ArgumentParser):
    """The parser of every command and subcommand (argparse gives subparsers their parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def option(parser: Any, name: str, *old: str, **kwargs: Any) -> argparse.Action:
    """Adds the Italian flag ``name`` (plus short forms starting with a single dash); ``old`` long
    flags keep working but are not shown. ``parser`` may be a parser or a group."""
    short = tuple(o for o in old if not o.startswith("--"))
    hidden = tuple(o for o in old if o.startswith("--"))
    action: argparse.Action = parser.add_argument(*short, name, *hidden, **kwargs)
    action.hidden_aliases = hidden  # type: ignore[attr-defined]
    return action


def number(text: str) -> int:
    """An argparse type: a whole number from 1 up to what the database can store."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» non è un numero intero") from None
    if not 1 <= value <= MAX_NUMBER:
        raise argparse.ArgumentTypeError(f"«{text}» fuori dall'intervallo ammesso (da 1 a {MAX_NUMBER})")
    return value


def index(text: str) -> int:
    """An argparse type: a position counted from 0 (a PKCS#11 slot), within a sensible range."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» non è un numero intero") from None
    if not 0 <= value <= 2**31 - 1:
        raise argparse.ArgumentTypeError(f"«{text}» fuori dall'intervallo ammesso (da 0 a {2**31 - 1})")
    return value


def parse_day(text: str, what: str = "data") -> date:
    """A day written the Italian way (gg/mm/aaaa); ``what`` names it in the refusal («data di firma»...)."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError as exc:
        raise RuleViolation(f"La {what} «{text}» non è valida (formato gg/mm/aaaa).") from exc


def output(path: str | os.PathLike[str], *, may_exist: bool = True) -> Path:
    """The destination of a command, checked before any work (see ``valutazione.destinations``)."""
    return prepare_output(path, may_exist=may_exist)


def target(text: str) -> Path | str:
    """A committee's file, or a server's ``postgresql://`` address kept as text (a Path folds its ``//``)."""
    return text if is_server_url(text) else Path(text)


def read_secret_file(path: Path) -> str:
    """The first line of ``path``, without its line ending (spaces inside the passphrase are kept)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            line = fh.readline()
    except OSError as exc:
        raise file_access_error(exc, path, "leggere il file della password") from exc
    except UnicodeDecodeError as exc:
        raise ValutazioneError(f"Il file della password «{path}» non è un testo UTF-8.") from exc
    return line.rstrip("\r\n")


def ask_secret(prompt: str) -> str:
    """Asks without echo; with no terminal to ask on, says how to give the secret in a script.

    Without a terminal ``getpass`` would fall back to reading the secret, echoed, from standard input,
    after an English warning: the warning is turned into the refusal, so nothing is read that way.
    """
    no_terminal = ValutazioneError(
        "Password o PIN non fornito e nessun terminale da cui chiederlo: usare --password-file "
        "(la prima riga del file è la password)."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", getpass.GetPassWarning)
            return getpass.getpass(prompt)
    except (EOFError, getpass.GetPassWarning) as exc:
        raise no_terminal from exc


def actor(s: Session) -> str:
    """Who a decision taken from the command line is recorded under: on a committee server, the member
    whose login role is connected (the server accepts log rows only in their name); else the chair, else
    the OS user."""
    from valutazione.server.roles import connected_member

    member = connected_member(s)
    if member is not None:
        return member
    chair = committee.chair(s)
    return chair.name if chair is not None else os_user()


def os_user() -> str:
    """The operating-system user running the command (a fixed label when the system cannot say)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "riga di comando"


def password_option(parser: Any, whose: str) -> None:
    """``--file-password FILE``: where a script gives the password of ``whose`` (else it is asked)."""
    password_file_option(parser, f"password {whose}, se impostata (altrimenti viene chiesta)")


def password_file_option(parser: Any, what: str) -> None:
    """``--file-password FILE``: a file whose first line is ``what`` (a person's, a package's password)."""
    option(
        parser,
        "--file-password",
        "--password-file",
        dest="password_file",
        type=Path,
        metavar="FILE",
        help=f"file la cui prima riga è la {what}",
    )


def confirmed(s: Session, args: argparse.Namespace, member_id: int) -> str:
    """The name a decision is recorded under, once the member has proved who they are.

    Why here: the GUI asks the chair's and the secretary's password at entry, so their decisions taken
    from the command line must not be cheaper. A member whose password is set must give it (from
    ``--file-password`` or asked without echo); a file whose members never set one (built from the
    command line alone) asks nothing, as the other commands. On a committee server the login already
    proved the person: the decision is recorded under the connected member.
    """
    from valutazione.server.roles import connected_member
    from valutazione.services import identity, lookup

    connected = connected_member(s)
    if connected is not None:
        return connected
    member = lookup.member(s, member_id)
    if identity.credential(s, member_id).has_password:
        path = getattr(args, "password_file", None)
        secret = read_secret_file(path) if path is not None else ask_secret(f"Password di {member.name}: ")
        identity.check_password(s, member_id, secret)
    return member.name


def chair_confirmed(s: Session, args: argparse.Namespace) -> str:
    """The chair's name once their password (if set) is given: decisions reserved to the chair."""
    return confirmed(s, args, committee.chair_or_error(s).id)


def chair_if_any(s: Session, args: argparse.Namespace) -> str:
    """``chair_confirmed`` once the committee has a chair; before that (a file being set up), ``actor``.

    Why: these commands record their decision under the chair's name, which must not be had for nothing
    from the command line when the GUI asks the chair's password for the same decision.
    """
    return chair_confirmed(s, args) if committee.chair(s) is not None else actor(s)
