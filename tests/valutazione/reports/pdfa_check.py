"""PDF/A-2b requirements read back with pikepdf: each finding is one Italian-free line naming the rule.

Not a full validator (veraPDF is that): the requirements our documents could break, checked on the
final revision of the file as an archive would read it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import pikepdf

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
ANNOTATIONS_WITHOUT_AP = ("/Popup", "/Link")
PRINT, HIDDEN, NOVIEW, INVISIBLE = 4, 2, 32, 1


def _xmp(pdf: pikepdf.Pdf) -> pikepdf.models.PdfMetadata:
    return pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)


def _pdf_date(text: str) -> datetime:
    """A PDF date (D:YYYYMMDDHHmmSS with Z or ±HH'mm') as an aware datetime."""
    from pikepdf.models.metadata import decode_pdf_date

    return decode_pdf_date(text)


def _objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream, indirect or nested directly inside another object."""
    kinds = (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.stream)
    stack = [obj for obj in pdf.objects]
    while stack:
        obj = stack.pop()
        kind = getattr(obj, "_type_code", None)
        if kind in kinds:
            yield obj
            stack += [v for v in obj.values() if not getattr(v, "is_indirect", True)]
        elif kind == pikepdf.ObjectType.array:
            stack += [v for v in obj if not getattr(v, "is_indirect", True)]


def problems(data: bytes) -> list[str]:
    """Every PDF/A-2b requirement this file breaks (empty when none)."""
    found: list[str] = []
    if not data.startswith((b"%PDF-1.4", b"%PDF-1.5", b"%PDF-1.6", b"%PDF-1.7")):
        found.append("intestazione: versione PDF oltre 1.7")
    pdf = pikepdf.open(io.BytesIO(data))
    if "/Encrypt" in pdf.trailer:
        found.append("cifratura non ammessa")
    ids = pdf.trailer.get("/ID")
    if ids is None or len(ids) != 2:
        found.append("manca l'ID del documento nel trailer")
    found += _metadata_problems(pdf)
    found += _intent_problems(pdf)
    for obj in _objects(pdf):
        found += _object_problems(obj)
    return found


def _metadata_problems(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    meta = pdf.Root.get("/Metadata")
    if meta is None:
        return ["manca il flusso XMP nel catalogo"]
    if "/Filter" in meta:
        found.append("il flusso XMP è compresso")
    xmp = _xmp(pdf)
    if xmp.get(f"{{{PDFAID}}}part") != "2" or xmp.get(f"{{{PDFAID}}}conformance") != "B":
        found.append(f"pdfaid: part/conformance non 2/B ({xmp.get(f'{{{PDFAID}}}part')})")
    info = pdf.docinfo
    pairs = {
        "/Title": "dc:title",
        "/Subject": "dc:description",
        "/Creator": "xmp:CreatorTool",
        "/Producer": "pdf:Producer",
        "/Keywords": "pdf:Keywords",
    }
    for key, prop in pairs.items():
        if key in info and str(info[key]) != str(xmp.get(prop, "")):
            found.append(f"{key} diverso da {prop}: {str(info[key])!r} / {xmp.get(prop)!r}")
    if "/Author" in info and [str(info["/Author"])] != list(xmp.get("dc:creator", [])):
        found.append("/Author diverso da dc:creator")
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info:
            xmp_value = xmp.get(prop)
            if xmp_value is None or _pdf_date(str(info[key])) != datetime.fromisoformat(xmp_value):
                found.append(f"{key} diverso da {prop}")
    if "/Trapped" in info:
        found.append("/Trapped senza equivalente XMP")
    return found


def _intent_problems(pdf: pikepdf.Pdf) -> list[str]:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFA1"]
    if len(intents) != 1:
        return [f"intenti di output GTS_PDFA1: {len(intents)} invece di 1"]
    profile = intents[0].get("/DestOutputProfile")
    if profile is None:
        return ["intento di output senza profilo ICC"]
    icc = profile.read_bytes()
    found = []
    if int(profile.get("/N", 0)) != 3 or icc[16:20] != b"RGB " or icc[36:40] != b"acsp":
        found.append("profilo ICC non RGB")
    if icc[8] > 4:
        found.append(f"profilo ICC versione {icc[8]}")
    return found


def _object_problems(obj: pikepdf.Object) -> list[str]:
    found = []
    for key in ("/JS", "/JavaScript", "/AA"):
        if key in obj:
            found.append(f"azione o script non ammessi ({key})")
    if obj.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/ResetForm"):
        found.append(f"azione non ammessa ({obj.get('/S')})")
    for key in ("/CA", "/ca"):
        if key in obj and float(obj[key]) != 1.0:
            found.append(f"trasparenza ({key} {float(obj[key])})")
    if "/SMask" in obj and obj["/SMask"] != "/None":
        found.append("trasparenza (SMask)")
    group = obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency":
        found.append("gruppo di trasparenza")
    if obj.get("/Type") == "/Font" and obj.get("/Subtype") != "/Type0":
        descriptor = obj.get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            found.append(f"font non incorporato: {obj.get('/BaseFont')}")
    if obj.get("/Type") == "/Annot" or "/Subtype" in obj and "/Rect" in obj and "/P" in obj:
        found += _annotation_problems(obj)
    return found


def _annotation_problems(annot: pikepdf.Object) -> list[str]:
    if annot.get("/Subtype") in ANNOTATIONS_WITHOUT_AP:
        return []
    found = []
    flags = int(annot.get("/F", 0))
    if not flags & PRINT or flags & (HIDDEN | NOVIEW | INVISIBLE):
        found.append(f"annotazione {annot.get('/T', '')}: flag /F {flags} (serve Stampa, non nascosta)")
    rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
    empty = rect[0] == rect[2] or rect[1] == rect[3]
    ap = annot.get("/AP")
    if not empty and (ap is None or "/N" not in ap):
        found.append(f"annotazione {annot.get('/T', '')}: manca l'aspetto /AP /N")
    return found
