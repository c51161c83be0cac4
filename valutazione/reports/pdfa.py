"""PDF/A-2b for the documents that get signed and archived (verbale, graduatoria, schede).

A committee's minutes and rankings are records an office must keep readable for decades, and in an
appeal they are read long after the software that made them is gone. PDF/A-2b asks for what makes a
file self-contained: every font embedded (layout uses DejaVu Sans only), device colours tied to a
colour space by an output intent (sRGB, the ICC profile shipped in ``resources/color``), XMP metadata
that says «PDF/A-2, conformance B» and repeats the document information, a document ID, no scripts,
no transparency, no external content.

ReportLab (open-source) writes neither XMP nor output intents, so they are added here in one
incremental update with pyHanko, before any signature: PDF/A allows incremental updates, and pyHanko
keeps the XMP and the information dictionary in step on each later update (each signature), so the
signed file is still PDF/A. The keywords go into the XMP as ``pdf:Keywords`` (pyHanko's own field
has the wrong case), the information dictionary's ``/Trapped`` is dropped (no XMP equivalent) and its
``/Producer`` is set to pyHanko's name, which pyHanko writes into the XMP on every update.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from valutazione.paths import resource

PDFA_PART = "2"
PDFA_CONFORMANCE = "B"
SRGB_IDENTIFIER = "sRGB IEC61966-2.1"


def srgb_profile() -> bytes:
    """The sRGB ICC profile (v2, zlib licence) of the output intent."""
    return resource("color", "sRGB.icc").read_bytes()


def _info_text(info: Any, key: str) -> str | None:
    value = info.get(key) if info is not None else None
    return None if value is None else str(value)


def to_pdfa(data: bytes) -> bytes:
    """``data`` (a ReportLab PDF) made PDF/A-2b by one incremental update: XMP, output intent, ID kept."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata import model

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    meta = writer.document_meta
    meta.title = _info_text(info, "/Title")
    meta.author = _info_text(info, "/Author")
    meta.subject = _info_text(info, "/Subject")
    meta.creator = _info_text(info, "/Creator")
    meta.created = datetime.now().astimezone().replace(microsecond=0)
    # One instant for /ModDate and xmp:ModifyDate: left at "now", pyHanko reads the clock once for each,
    # and across a second's boundary the two differ (PDF/A requires them equal).
    meta.last_modified = meta.created
    pdfaid = [
        (model.ExpandedName(ns=model.NS["pdfaid"], local_name="part"), model.XmpValue(PDFA_PART)),
        (model.ExpandedName(ns=model.NS["pdfaid"], local_name="conformance"), model.XmpValue(PDFA_CONFORMANCE)),
    ]
    keywords = _info_text(info, "/Keywords")
    if keywords:
        pdfaid.append((model.ExpandedName(ns=model.NS["pdf"], local_name="Keywords"), model.XmpValue(keywords)))
    meta.xmp_extra = [model.XmpStructure.of(*pdfaid)]
    if "/Trapped" in info:
        del info["/Trapped"]
    # pyHanko writes its own name as the XMP producer and appends it to a different /Producer:
    # starting from exactly its name keeps the two equal, now and after every signature.
    info[generic.NameObject("/Producer")] = generic.TextStringObject(model.VENDOR)
    writer.mark_update(info_ref)

    components = generic.NumberObject(3)  # type: ignore[no-untyped-call]
    profile = generic.StreamObject({generic.NameObject("/N"): components}, stream_data=srgb_profile())
    profile.compress()  # type: ignore[no-untyped-call]
    intent = generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {
            generic.NameObject("/Type"): generic.NameObject("/OutputIntent"),
            generic.NameObject("/S"): generic.NameObject("/GTS_PDFA1"),
            generic.NameObject("/OutputConditionIdentifier"): generic.TextStringObject(SRGB_IDENTIFIER),
            generic.NameObject("/Info"): generic.TextStringObject(SRGB_IDENTIFIER),
            generic.NameObject("/RegistryName"): generic.TextStringObject("http://www.color.org"),
            generic.NameObject("/DestOutputProfile"): writer.add_object(profile),
        }
    )
    writer.root[generic.NameObject("/OutputIntents")] = generic.ArrayObject([writer.add_object(intent)])
    writer.update_root()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
