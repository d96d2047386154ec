"""What an upload is: detected by content (magic bytes, XML root, JSON), checked against its name.

The extension must promise the format the content has; a mismatch is refused
with what the file actually looks like.
"""

from __future__ import annotations

import codecs
import struct

from geodata.i18n import Name, msg
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
_DESCRIBE: dict[str, Name] = {
    "gpx": Name("a GPX file", "GPX 文件"),
    "kml": Name("a KML file", "KML 文件"),
    "kmz": Name("a KMZ (zipped KML) file", "KMZ（压缩的 KML）文件"),
    "geojson": Name("a GeoJSON file", "GeoJSON 文件"),
    "gpkg": Name("a GeoPackage", "GeoPackage 文件"),
}
_BINARY = Name("binary data", "二进制数据")
_SQLITE = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = {0x47504B47, 0x47503130, 0x47503131}  # "GPKG", "GP10", "GP11"
_MAGIC: tuple[tuple[bytes, Name], ...] = (
    (b"\x89PNG\r\n\x1a\n", Name("a PNG image", "PNG 图片")),
    (b"\xff\xd8\xff", Name("a JPEG image", "JPEG 图片")),
    (b"GIF87a", Name("a GIF image", "GIF 图片")),
    (b"GIF89a", Name("a GIF image", "GIF 图片")),
    (b"%PDF", Name("a PDF document", "PDF 文档")),
    (b"\x1f\x8b", Name("a gzip-compressed file", "gzip 压缩文件")),
    (b"7z\xbc\xaf\x27\x1c", Name("a 7-Zip archive", "7-Zip 压缩包")),
    (b"Rar!", Name("a RAR archive", "RAR 压缩包")),
    (b"\x7fELF", Name("an executable program", "可执行程序")),
    (b"MZ", Name("a Windows program", "Windows 程序")),
)
_XML_ROOTS: dict[str, Name] = {
    "TrainingCenterDatabase": Name(
        "a Garmin TCX file (export it as GPX instead)", "Garmin TCX 文件（请改为导出 GPX）"
    ),
    "osm": Name("an OpenStreetMap XML file", "OpenStreetMap XML 文件"),
    "svg": Name("an SVG image", "SVG 图片"),
    "html": Name("an HTML page", "HTML 网页"),
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
    got = repr(filename[dot:]) if dot > 0 else msg("import.no_extension")
    allowed = ", ".join(EXTENSIONS)
    raise ImportRejected(
        msg("import.unsupported_type", filename=filename, got=got, allowed=allowed),
        filename=filename,
    )


def _looks_utf16_without_bom(head: bytes) -> bool:
    even, odd = head[0::2], head[1::2]
    return bool(head) and (even.count(0) > 0.4 * len(even) or odd.count(0) > 0.4 * len(odd))


def _content(filename: str, data: bytes) -> tuple[ImportFormat | None, Name]:
    """(format or None, what the content looks like)."""
    binary = _binary_content(data)
    if binary is not None:
        return binary
    text_head = _text_head(data)
    if isinstance(text_head, Name):
        return None, text_head
    first = text_head.lstrip()[:1]
    if first == "<":
        root = local(sniff_root(filename, data))
        if root == "gpx":
            return "gpx", _DESCRIBE["gpx"]
        if root == "kml":
            return "kml", _DESCRIBE["kml"]
        other = Name(f"an XML file with root element <{root}>", f"根元素为 <{root}> 的 XML 文件")
        return None, _XML_ROOTS.get(root, other)
    if first in ("{", "["):
        return "geojson", Name("a JSON file", "JSON 文件")
    return None, Name("plain text, not GPS data", "纯文本，不是 GPS 数据")


def _binary_content(data: bytes) -> tuple[ImportFormat | None, Name] | None:
    """What a file recognised by its first bytes is (GeoPackage, ZIP, …), else None."""
    if data.startswith(_SQLITE):
        if len(data) >= 72:
            (app_id,) = struct.unpack(">I", data[68:72])
            if app_id in _GPKG_APPLICATION_IDS:
                return "gpkg", _DESCRIBE["gpkg"]
        return None, Name(
            "an SQLite database that is not a GeoPackage", "不是 GeoPackage 的 SQLite 数据库"
        )
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "kmz", Name("a ZIP archive", "ZIP 压缩包")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return None, what
    if len(data) >= 12 and data[8:12] == b".FIT":
        return None, Name(
            "a Garmin FIT file (export it as GPX instead)", "Garmin FIT 文件（请改为导出 GPX）"
        )
    return None


def _text_head(data: bytes) -> str | Name:
    """The first 4 KiB decoded as text, or what the data is when it is not text."""
    head = data[:4096]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        if _looks_utf16_without_bom(head):
            return Name(
                "UTF-16 text without a byte-order mark (save it as UTF-8)",
                "没有字节顺序标记的 UTF-16 文本（请另存为 UTF-8）",
            )
        return _BINARY
    text_head = head.lstrip(codecs.BOM_UTF8).decode("utf-8", errors="replace")
    if text_head.count("\ufffd") > max(8, len(text_head) // 20):
        return _BINARY
    return text_head


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
        raise ImportRejected(msg("import.empty", filename=filename), filename=filename)
    if not data.strip(b" \t\r\n\f\v") or not data.lstrip(codecs.BOM_UTF8).strip():
        raise ImportRejected(msg("import.whitespace", filename=filename), filename=filename)
    actual, what = _content(filename, data)
    if actual == expected:
        return actual
    ext = filename[filename.rfind(".") :]
    raise ImportRejected(
        msg("import.mismatch", filename=filename, what=what, expected=_DESCRIBE[expected], ext=ext),
        filename=filename,
    )
