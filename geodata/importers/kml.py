"""KML and KMZ: Placemarks with Point, LineString, Polygon, MultiGeometry, gx:Track, gx:MultiTrack.

Folders and Documents are walked at any depth; the folder path goes into the
``folder`` property. Tags are matched by local name, so KML 2.0-2.2 and files
without a namespace all read. KMZ archives are opened in memory (nothing is
extracted to disk) with limits on the number of entries, the total uncompressed
size and the compression ratio, checked from the ZIP headers and enforced again
while decompressing.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree.ElementTree import Element

import numpy as np
import shapely

from geodata.i18n import Msg, msg
from geodata.importers._build import Draft, check_lonlat, line_or_point, parse_times, raise_problems
from geodata.importers._model import (
    FeatureKind,
    ImportRejected,
    ImportWarning,
    kind_label,
    where_name,
)
from geodata.importers._xml import XmlDocument, check_encoding, local, parse_xml

__all__ = [
    "KMZ_MAX_ENTRIES",
    "KMZ_MAX_UNCOMPRESSED_BYTES",
    "KMZ_MAX_RATIO",
    "read_kml",
    "read_kmz",
]

KMZ_MAX_ENTRIES = 100
KMZ_MAX_UNCOMPRESSED_BYTES = 50_000_000
KMZ_MAX_RATIO = 100
#: Entries smaller than this are not held to the ratio (tiny files compress oddly).
_RATIO_FLOOR_BYTES = 1_000_000
_CHUNK = 1 << 16
_LINE_TAGS = ("Placemark", "Point", "LineString", "Polygon", "Track", "coord", "when")
_CONTAINERS = ("Document", "Folder", "kml")
_GEOMETRIES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiGeometry",
    "Track",
    "MultiTrack",
)


def _child(elem: Element, name: str) -> Element | None:
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def _children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if local(c.tag) == name]


def _text(elem: Element, name: str) -> str | None:
    c = _child(elem, name)
    if c is None:
        return None
    text = "".join(c.itertext()).strip()
    return text or None


class _Reader:
    def __init__(self, filename: str, doc: XmlDocument) -> None:
        self.filename = filename
        self.doc = doc
        self.drafts: list[Draft] = []
        self.warnings: list[ImportWarning] = []
        self.problems: list[str | Msg] = []
        self.placemarks = 0

    def walk(self, elem: Element, folders: tuple[str, ...]) -> None:
        for child in elem:
            name = local(child.tag)
            if name in _CONTAINERS:
                title = _text(child, "name")
                self.walk(child, folders + (title,) if title and name == "Folder" else folders)
            elif name == "Placemark":
                self.placemark(child, folders)
                self.placemarks += 1

    def placemark(self, pm: Element, folders: tuple[str, ...]) -> None:
        name = _text(pm, "name")
        description = _text(pm, "description")
        line = self.doc.line(pm)
        source = f"Placemark[{self.placemarks}], line {line}"
        props: dict[str, object] = {}
        if folders:
            props["folder"] = " / ".join(folders)
        pm_id = pm.get("id")
        if pm_id:
            props["id"] = pm_id
        extended = _child(pm, "ExtendedData")
        if extended is not None:
            for item in extended.iter():
                tag = local(item.tag)
                if tag == "Data" and item.get("name"):
                    props[item.get("name", "")] = _text(item, "value")
                elif tag == "SimpleData" and item.get("name"):
                    props[item.get("name", "")] = (item.text or "").strip() or None
        parts: list[tuple[Element, str]] = []
        for child in pm:
            if local(child.tag) in _GEOMETRIES:
                self.flatten(child, parts)
        if not parts:
            self.warnings.append(
                ImportWarning(
                    "skipped_geometry",
                    msg(
                        "import.placemark_empty",
                        name=name or self.placemarks,
                        source=where_name(source),
                    ),
                )
            )
            return
        several = len(parts) > 1
        for k, (geom_elem, _kind) in enumerate(parts):
            part_name = f"{name} (part {k + 1})" if several and name else name
            part_source = source if not several else f"{source}, part {k + 1}"
            self.geometry(geom_elem, part_name, description, dict(props), part_source)

    def flatten(self, elem: Element, out: list[tuple[Element, str]]) -> None:
        name = local(elem.tag)
        if name in ("MultiGeometry", "MultiTrack"):
            for child in elem:
                if local(child.tag) in _GEOMETRIES:
                    self.flatten(child, out)
        else:
            out.append((elem, name))

    def coordinates(self, elem: Element) -> np.ndarray:
        text = _text(elem, "coordinates") or ""
        rows = [tuple(token.split(",")) for token in text.split()]
        width = max((len(r) for r in rows), default=2)
        try:
            values = np.array(
                [[float(v) for v in r] + [np.nan] * (width - len(r)) for r in rows], dtype=float
            )
        except ValueError:
            line = self.doc.line(elem)
            raise ImportRejected(
                msg("import.kml_coordinates", filename=self.filename, line=line),
                filename=self.filename,
                line=line,
            ) from None
        return values.reshape(-1, max(width, 2))[:, :3]

    def geometry(
        self,
        elem: Element,
        name: str | None,
        description: str | None,
        props: dict[str, object],
        source: str,
    ) -> None:
        tag = local(elem.tag)
        line = self.doc.line(elem)
        label = kind_label("placemark", name, source)
        kind: FeatureKind
        times = None
        vertex_lines = None
        if tag == "Track":
            whens = [(w.text or "").strip() or None for w in _children(elem, "when")]
            coord_elems = _children(elem, "coord")
            rows = [(c.text or "").split() for c in coord_elems]
            try:
                coords = np.array(
                    [[float(v) for v in r[:3]] + [np.nan] * (3 - len(r[:3])) for r in rows],
                    dtype=float,
                ).reshape(-1, 3)
            except ValueError:
                raise ImportRejected(
                    msg("import.kml_gx_coord", filename=self.filename, line=line),
                    filename=self.filename,
                    line=line,
                ) from None
            vertex_lines = tuple(self.doc.line(c) or 0 for c in coord_elems)
            if whens and len(whens) == len(coords):
                times, bad = parse_times(whens)
                if bad:
                    self.warnings.append(
                        ImportWarning(
                            "bad_time", msg("import.kml_when_unreadable", label=label, count=bad)
                        )
                    )
            elif whens:
                self.warnings.append(
                    ImportWarning(
                        "bad_time",
                        msg(
                            "import.kml_when_count",
                            label=label,
                            whens=len(whens),
                            coords=len(coords),
                            source=where_name(source),
                        ),
                    )
                )
            kind = "track"
        elif tag == "Polygon":
            outer = _child(elem, "outerBoundaryIs")
            ring = _child(outer, "LinearRing") if outer is not None else None
            coords = self.coordinates(ring) if ring is not None else np.empty((0, 2))
            holes = len(_children(elem, "innerBoundaryIs"))
            if holes:
                props["inner_rings_dropped"] = holes
                self.warnings.append(
                    ImportWarning(
                        "polygon_holes_dropped",
                        msg(
                            "import.kml_holes", label=label, holes=holes, source=where_name(source)
                        ),
                    )
                )
            kind = "polygon"
        else:
            coords = self.coordinates(elem)
            kind = "point" if tag == "Point" else "line"
        if len(coords) == 0:
            self.warnings.append(
                ImportWarning(
                    "skipped_geometry",
                    msg(
                        "import.kml_empty_geometry", label=label, tag=tag, source=where_name(source)
                    ),
                )
            )
            return
        check_lonlat(self.filename, label, coords[:, 0], coords[:, 1], None, self.problems)
        z = coords[:, 2] if coords.shape[1] > 2 else None
        if kind == "polygon":
            ring_coords = coords if z is not None and not np.isnan(z).all() else coords[:, :2]
            if len(ring_coords) < 4:
                self.warnings.append(
                    ImportWarning(
                        "invalid_geometry",
                        msg(
                            "import.ring_short",
                            label=label,
                            count=len(ring_coords),
                            source=where_name(source),
                        ),
                    )
                )
                return
            geometry = shapely.Polygon(ring_coords)
        elif kind == "point":
            geometry = line_or_point(coords[:1, 0], coords[:1, 1], None if z is None else z[:1])
        else:
            geometry = line_or_point(coords[:, 0], coords[:, 1], z)
        self.drafts.append(
            Draft(
                kind=kind,
                name=name,
                description=description,
                geometry=geometry,
                source=source,
                times=times,
                properties=props,
                vertex_lines=vertex_lines,
            )
        )


def _creator(root: Element) -> str | None:
    for elem in root.iter():
        if local(elem.tag) == "author":
            text = _text(elem, "name")
            if text:
                return text
    return None


def read_kml(filename: str, data: bytes) -> tuple[list[Draft], str | None, list[ImportWarning]]:
    """Read KML bytes into feature drafts, the author (if given) and reading warnings.

    Raises
    ------
    ImportRejected
        Unsafe or broken XML, coordinates that are not numbers or not WGS84 lon/lat.
    """
    doc = parse_xml(filename, data, _LINE_TAGS)
    if local(doc.root.tag) != "kml":
        raise ImportRejected(
            msg("import.kml_root", filename=filename, root=local(doc.root.tag)), filename=filename
        )
    reader = _Reader(filename, doc)
    reader.walk(doc.root, ())
    raise_problems(filename, msg("import.positions_outside"), reader.problems)
    return reader.drafts, _creator(doc.root), reader.warnings


def _kmz_entry(filename: str, archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    infos = archive.infolist()
    if len(infos) > KMZ_MAX_ENTRIES:
        raise ImportRejected(
            msg("import.kmz_entries", filename=filename, count=len(infos), limit=KMZ_MAX_ENTRIES),
            filename=filename,
        )
    total = sum(i.file_size for i in infos)
    if total > KMZ_MAX_UNCOMPRESSED_BYTES:
        raise ImportRejected(
            msg(
                "import.kmz_size",
                filename=filename,
                mb=f"{total / 1e6:.0f}",
                limit=f"{KMZ_MAX_UNCOMPRESSED_BYTES / 1e6:.0f}",
            ),
            filename=filename,
        )
    for info in infos:
        if info.file_size >= _RATIO_FLOOR_BYTES and (
            info.file_size > KMZ_MAX_RATIO * max(info.compress_size, 1)
        ):
            raise ImportRejected(
                msg(
                    "import.kmz_ratio",
                    filename=filename,
                    entry=repr(info.filename),
                    ratio=f"{info.file_size / max(info.compress_size, 1):.0f}",
                    limit=KMZ_MAX_RATIO,
                ),
                filename=filename,
            )
    kmls = [i for i in infos if i.filename.lower().endswith(".kml") and not i.is_dir()]
    if not kmls:
        raise ImportRejected(msg("import.kmz_no_kml", filename=filename), filename=filename)
    for info in kmls:
        if info.filename.lower() == "doc.kml":
            return info
    return kmls[0]


def _read_limited(filename: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Decompress one entry in chunks, stopping as soon as a limit is passed."""
    limit = min(
        KMZ_MAX_UNCOMPRESSED_BYTES,
        max(KMZ_MAX_RATIO * max(info.compress_size, 1), _RATIO_FLOOR_BYTES),
    )
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ImportRejected(
                    msg(
                        "import.kmz_unpacks",
                        filename=filename,
                        entry=repr(info.filename),
                        mb=f"{limit / 1e6:.1f}",
                        bytes=info.compress_size,
                    ),
                    filename=filename,
                )
            chunks.append(chunk)
    return b"".join(chunks)


def read_kmz(filename: str, data: bytes) -> tuple[list[Draft], str | None, list[ImportWarning]]:
    """Read a KMZ (zipped KML): ``doc.kml`` or else the first ``.kml`` entry.

    Raises
    ------
    ImportRejected
        Not a readable ZIP, too many entries, too large or too compressed (zip
        bomb), encrypted, no KML inside, or any KML problem (named
        ``file.kmz:doc.kml``).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = _kmz_entry(filename, archive)
            kml = _read_limited(filename, archive, info)
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ImportRejected(
            msg("import.kmz_unreadable", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None
    except RuntimeError as exc:  # encrypted entries, unsupported compression
        raise ImportRejected(
            msg("import.kmz_entry", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None
    except NotImplementedError as exc:
        raise ImportRejected(
            msg("import.kmz_compression", filename=filename, reason=str(exc)), filename=filename
        ) from None
    inner = f"{filename}:{info.filename}"
    if not kml.strip():
        raise ImportRejected(msg("import.kmz_empty_kml", inner=inner), filename=filename)
    check_encoding(inner, kml)
    return read_kml(inner, kml)
