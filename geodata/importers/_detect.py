"""What an upload is: detected by content (magic bytes, XML root, JSON), checked against its name.

The extension must promise the format the content has; a mismatch is refused
with what the file actually looks like.
"""

from __future__ import annotations

import codecs
import struct

from geodata.importers._model import ImportFormat, ImportRejected
from geodata.importers._xml import local, sniff_root

__all__ = ["EXTENSIONS", "detect_format", "extension_format"]

#: File name endings accepted, and the format each promises.
EXTENSIONS: dict[str, ImportFormat] = {
    ".gpx": "gpx",
    ".kml": "kml",
    ".kmz": "kmz",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
}
_DESCRIBE: dict[str, str] = {
    "gpx": "a GPX file",
    "kml": "a KML file",
    "kmz": "a KMZ (zipped KML) file",
    "geojson": "a GeoJSON file",
    "gpkg": "a GeoPackage",
}
_SQLITE = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = {0x47504B47, 0x47503130, 0x47503131}  # "GPKG", "GP10", "GP11"
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an executable program"),
    (b"MZ", "a Windows program"),
)
_XML_ROOTS: dict[str, str] = {
    "TrainingCenterDatabase": "a Garmin TCX file (export it as GPX instead)",
    "osm": "an OpenStreetMap XML file",
    "svg": "an SVG image",
    "html": "an HTML page",
}


def extension_format(filename: str) -> ImportFormat:
    """The format promised by the name's extension (case-insensitive).

    Raises
    ------
    ImportRejected
        The extension is not one of :data:`EXTENSIONS`.
    """
    lower = filename.lower()
    for ext, fmt in EXTENSIONS.items():
        if lower.endswith(ext):
            return fmt
    dot = lower.rfind(".")
    got = repr(filename[dot:]) if dot > 0 else "no extension"
    allowed = ", ".join(EXTENSIONS)
    raise ImportRejected(
        f"{filename}: unsupported file type ({got}); expected one of {allowed}",
        filename=filename,
    )


def _looks_utf16_without_bom(head: bytes) -> bool:
    even, odd = head[0::2], head[1::2]
    return bool(head) and (even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd))


def _content(filename: str, data: bytes) -> tuple[ImportFormat | None, str]:
    """(format or None, what the content looks like)."""
    if data.startswith(_SQLITE):
        if len(data) >= 72:
            (app_id,) = struct.unpack(">I", data[68:72])
            if app_id in _GPKG_APPLICATION_IDS:
                return "gpkg", _DESCRIBE["gpkg"]
        return None, "an SQLite database that is not a GeoPackage"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "kmz", "a ZIP archive"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return None, what
    if len(data) >= 12 and data[8:12] == b".FIT":
        return None, "a Garmin FIT file (export it as GPX instead)"
    head = data[:4096]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text_head = head.decode("utf-16", errors="replace")
    else:
        if b"\x00" in head:
            if _looks_utf16_without_bom(head):
                return None, "UTF-16 text without a byte-order mark (save it as UTF-8)"
            return None, "binary data"
        text_head = head.lstrip(codecs.BOM_UTF8).decode("utf-8", errors="replace")
        if text_head.count("\ufffd") > max(8, len(text_head) // 20):
            return None, "binary data"
    first = text_head.lstrip()[:1]
    if first == "<":
        root = local(sniff_root(filename, data))
        if root == "gpx":
            return "gpx", _DESCRIBE["gpx"]
        if root == "kml":
            return "kml", _DESCRIBE["kml"]
        return None, _XML_ROOTS.get(root, f"an XML file with root element <{root}>")
    if first in ("{", "["):
        return "geojson", "a JSON file"
    return None, "plain text, not GPS data"


def detect_format(filename: str, data: bytes) -> ImportFormat:
    """Detect the format of ``data`` by content and check it against ``filename``.

    Raises
    ------
    ImportRejected
        Empty or whitespace-only data, unknown extension, content that is not one
        of the supported formats, or content that does not match the extension.
    """
    expected = extension_format(filename)
    if not data:
        raise ImportRejected(f"{filename}: the file is empty", filename=filename)
    if not data.strip(b" \t\r\n\f\v") or not data.lstrip(codecs.BOM_UTF8).strip():
        raise ImportRejected(f"{filename}: the file contains only whitespace", filename=filename)
    actual, what = _content(filename, data)
    if actual == expected:
        return actual
    ext = filename[filename.rfind(".") :]
    raise ImportRejected(
        f"{filename}: the content looks like {what}, not {_DESCRIBE[expected]} "
        f"(the name ends in {ext})",
        filename=filename,
    )
