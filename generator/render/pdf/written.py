"""PDF pieces written out as bytes once and handed to every file: font subsets, shared stream starts, texts, XMP.

Nothing here touches reportlab's internals (reportlab_internals.py puts
these pieces into its documents); each is plain PDF syntax.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import DummyDoc, PDFString, PDFZCompress


@dataclass(frozen=True)
class SubsetObjects:
    """The four objects of one font subset, written out once per run and handed to every document.

    The two streams hold no reference: they are whole. The descriptor and
    the font dictionary end with what differs between documents (the
    numbers of the objects they point at, the font's name in the page's
    resources), added when the document is written.
    """

    to_unicode: bytes  # the ToUnicode CMap stream
    font_file: bytes  # the FontFile2 stream (the subset's TrueType program)
    descriptor: bytes  # the FontDescriptor dictionary, open: /FontFile2 comes last
    font: bytes  # the Font dictionary, open: /Name, /ToUnicode and /FontDescriptor come last


def flate_stream(data: bytes, extra: bytes = b"") -> bytes:
    """A stream object whose data is already Flate-compressed (``extra``: more dictionary entries)."""
    return b"<< /Filter /FlateDecode /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def small_flate(data: bytes) -> bytes:
    """Flate with a 4 KB window: as good on a page's own few KB, and ten times quicker to set up."""
    state = zlib.compressobj(6, zlib.DEFLATED, 12, 5)
    return state.compress(data) + state.flush()


class Filter(Protocol):
    """A stream filter as reportlab applies it: the name it writes, and the encoding."""

    pdfname: str

    def encode(self, text: str | bytes) -> bytes: ...


class SmallFlate:
    """``small_flate`` as a reportlab stream filter (print pages hold a person's lines only)."""

    pdfname = "FlateDecode"

    def encode(self, text: str | bytes) -> bytes:
        return small_flate(text.encode("utf8") if isinstance(text, str) else text)


# Flate alone (ASCII85 on top only makes files a quarter larger): for large streams, and for small ones.
FLATE: Filter = PDFZCompress
SMALL_FLATE: Filter = SmallFlate()


class SharedStart:
    """The operators every page of a layout starts with, as a stream object compressed once.

    Every sheet's page starts with the shared blocks (some 20 KB of
    operators): compressing them again for each file was a tenth of a
    sheet's time. A page that starts with them gets two content streams,
    this one (the same bytes in every file) and its own part.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.stream = flate_stream(zlib.compress(prefix.encode("utf8")))


_PLAIN = DummyDoc()  # formats a string as any unencrypted document would


@lru_cache(maxsize=512)
def pdf_text(value: str) -> bytes:
    """A text string as reportlab writes it (PDFDocEncoding when it can, else UTF-16), remembered."""
    return PDFString(value).format(_PLAIN)  # type: ignore[no-any-return]


@lru_cache(maxsize=8)
def pdf_date(ymdhms: tuple[int, ...], dhh: int, dmm: int) -> bytes:
    """A date string of the Info dictionary (``D:YYYYMMDDHHmmSS+HH'mm'``)."""
    y, mo, d, h, mi, s = ymdhms
    return pdf_text(f"D:{y:04d}{mo:02d}{d:02d}{h:02d}{mi:02d}{s:02d}{dhh:+03d}'{dmm:02d}'")


def metadata_stream(data: bytes) -> bytes:
    """The catalog's /Metadata stream object (XMP, not compressed: PDF/UA readers look for it as text)."""
    return b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def xmp(info: Any, ts: Any, lang_text: str) -> bytes:
    """XMP metadata that declares PDF/UA-1 and repeats the Info dictionary (``info``: same title; ``ts``: dates)."""
    y, mo, d, h, mi, s = ts.YMDhms
    sign = "-" if ts.dhh < 0 else "+"
    date = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{abs(ts.dhh):02d}:{abs(ts.dmm):02d}"

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    language = f"<dc:language><rdf:Bag><rdf:li>{escape(lang_text)}</rdf:li></rdf:Bag></dc:language>"
    xml = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title>{alt(info.title)}</dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(info.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description>{alt(info.subject)}</dc:description>
{language if lang_text else ""}
<pdf:Producer>{escape(info.producer)}</pdf:Producer>
<pdf:Keywords>{escape(info.keywords)}</pdf:Keywords>
<xmp:CreatorTool>{escape(info.creator)}</xmp:CreatorTool>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<xmp:MetadataDate>{date}</xmp:MetadataDate>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""
    return xml.encode("utf-8")
