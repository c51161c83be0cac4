"""An applicant's attachment as a file on the committee's computer: a safe name, and whether to open it.

The file name is the applicant's choice, and so is the content. Handing the system «progetto.pdf.exe»,
«budget.js» or «leggimi.hta» to open would run a program an applicant wrote on a member's laptop, which
holds the committee's file and signing key. So only the kinds a committee reads (documents, sheets,
slides, images, signed envelopes) are ever handed to the system's default program; any other is saved
where the member chooses, to be checked before use. The name is reduced to letters, digits and
``. - _`` with no leading or trailing dot or space, because Windows drops a trailing «.» or « » (so
«a.exe.» would run as «a.exe»), «..» would name the folder above and «CON.pdf» a device.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

OPENABLE = frozenset(
    {
        "pdf",
        "p7m",  # a signed envelope (CAdES), opened by the member's signature software
        "txt",
        "csv",
        "rtf",
        "odt",
        "ods",
        "odp",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "tif",
        "tiff",
        "bmp",
    }
)
MAX_NAME = 120  # characters: within every file system's limit, the extension kept
_UNSAFE = re.compile(r"[^\w.\- ]")
# Device names Windows reserves whatever the extension: «CON.pdf» would be the console, not a file.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)


def local_name(filename: str) -> str:
    """``filename`` as a safe single name for the local disk (never empty, never ``..``)."""
    name = _UNSAFE.sub("_", PurePosixPath(filename.replace("\\", "/")).name).strip(". ")
    if not name:
        return "allegato"
    if name.split(".")[0].strip().upper() in _RESERVED:
        name = "_" + name
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and len(suffix) <= 10 else ""
        name = name[: MAX_NAME - len(keep)].rstrip(". ") + keep
    return name


def may_open(filename: str) -> bool:
    """Whether the attachment's safe local name has a kind the system may open directly."""
    _stem, dot, suffix = local_name(filename).rpartition(".")
    return bool(dot) and suffix.lower() in OPENABLE
