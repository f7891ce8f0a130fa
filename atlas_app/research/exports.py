"""Write the registry (or any filtered view of it) as CSV, GeoJSON or a data package.

Files are written to a temporary file beside the target and moved into place only when
complete, so a crash or a full disk never leaves a truncated export where the old one was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from atlas_app.errors import ExportError
from atlas_app.registry.schema import FIELD_NAMES, FIELDS, Taxonomy
from atlas_app.text import FORMULA_TRIGGERS

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
GEOJSON_PROPERTIES = tuple(n for n in FIELD_NAMES if n not in ("latitude", "longitude"))
NUMERIC = {f.name for f in FIELDS if f.type in ("integer", "number")}


def neutralise(value: str) -> str:
    """Guard a spreadsheet cell: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _text(name: str, value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if name == "tags":
        return ";".join(value) if isinstance(value, (list, tuple)) else str(value)
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float):
        return f"{value:.7f}".rstrip("0").rstrip(".")
    return str(value)


def frame_to_rows(frame: pd.DataFrame, *, guard_formulas: bool = True) -> list[list[str]]:
    """The frame as text rows in FIELD_NAMES order, formulas neutralised in text cells."""
    rows = []
    for record in frame[list(FIELD_NAMES)].itertuples(index=False, name=None):
        row = []
        for name, value in zip(FIELD_NAMES, record):
            text = _text(name, value)
            row.append(neutralise(text) if guard_formulas and name not in NUMERIC else text)
        rows.append(row)
    return rows


def write_csv(fh: BinaryIO, frames: Iterable[pd.DataFrame], *, excel: bool = False) -> int:
    """CSV (RFC 4180, UTF-8), frame by frame; the number of rows written. ``excel``: ';'
    separator and a BOM, for French Excel."""
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
    try:
        if excel:
            text.write("\ufeff")
        writer = csv.writer(text, delimiter=";" if excel else ",", lineterminator="\r\n")
        writer.writerow(FIELD_NAMES)
        count = 0
        for frame in frames:
            rows = frame_to_rows(frame)
            writer.writerows(rows)
            count += len(rows)
        text.flush()
    finally:
        text.detach()  # the caller owns ``fh``
    return count


def csv_bytes(frame: pd.DataFrame, *, excel: bool = False) -> bytes:
    """CSV (RFC 4180, UTF-8). ``excel``: ';' separator and a BOM, for French Excel."""
    buffer = io.BytesIO()
    write_csv(buffer, [frame], excel=excel)
    return buffer.getvalue()


def geojson_features(frame: pd.DataFrame) -> list[dict]:
    """RFC 7946 features; unlocated organisations get ``"geometry": null``."""
    features = []
    for record in frame[list(FIELD_NAMES)].to_dict("records"):
        props = {}
        for name in GEOJSON_PROPERTIES:
            value = record[name]
            if name == "tags":
                props[name] = list(value) if isinstance(value, (list, tuple)) else []
            elif name == "id":
                props[name] = int(value)
            else:
                text = _text(name, value)
                props[name] = text or None
        lat, lon = record["latitude"], record["longitude"]
        located = lat is not None and lon is not None and not (math.isnan(lat) or math.isnan(lon))
        geometry = {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]} \
            if located else None
        features.append({"type": "Feature", "id": props["id"], "geometry": geometry,
                         "properties": props})
    return features


def geojson_document(frame: pd.DataFrame) -> dict:
    """An RFC 7946 FeatureCollection of the frame's organisations."""
    return {"type": "FeatureCollection", "features": geojson_features(frame)}


def write_geojson(fh: BinaryIO, frames: Iterable[pd.DataFrame]) -> int:
    """A FeatureCollection, one feature per line, frame by frame; the number written."""
    fh.write(b'{"type": "FeatureCollection", "features": [')
    count = 0
    for frame in frames:
        for feature in geojson_features(frame):
            fh.write((",\n" if count else "\n").encode()
                     + json.dumps(feature, ensure_ascii=False).encode("utf-8"))
            count += 1
    fh.write(b"\n]}\n")
    return count


def geojson_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    write_geojson(buffer, [frame])
    return buffer.getvalue()


def table_schema(taxonomy: Taxonomy) -> dict:  # noqa: C901 (one branch per constraint)
    """The registry's CSV form as a Frictionless Table Schema."""
    types = {"string": "string", "integer": "integer", "number": "number", "list": "string",
             "datetime": "datetime"}
    fields = []
    for f in FIELDS:
        spec: dict = {"name": f.name, "type": types[f.type], "description": f.description}
        constraints: dict = {}
        if f.required:
            constraints["required"] = True
        if f.max_length and f.type == "string":
            constraints["maxLength"] = f.max_length + 1  # room for the formula guard
        if f.enum:
            constraints["enum"] = list(f.enum)
        if f.name == "sector":
            constraints["enum"] = list(taxonomy.ids)
        if f.name == "country":
            constraints["pattern"] = "[A-Z]{2}"
        if f.name == "website":
            constraints["pattern"] = "https?://.+"
        if f.name == "latitude":
            constraints.update(minimum=-90, maximum=90)
        if f.name == "longitude":
            constraints.update(minimum=-180, maximum=180)
        if f.name == "id":
            constraints.update(required=True, unique=True, minimum=1)
        if f.name in ("created_at", "updated_at"):
            constraints["required"] = True
        if f.name in ("status", "location_precision", "location_source"):
            constraints["required"] = True
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


ATLAS_URL = "https://socialgoodaccelerator.eu"
DATA_SOURCES = (
    "Social Tech Atlas registry (CC BY 4.0), compiled from organisations' own websites",
    "Place names and coordinates: GeoNames (CC BY 4.0)",
    "Country names: Unicode CLDR",
)


@dataclass(frozen=True)
class Citation:
    """How to cite an export: the registry version it came from and when."""

    revision: int
    retrieved: dt.date
    view: str = ""
    url: str = ATLAS_URL

    @property
    def version(self) -> str:
        return f"r{self.revision}"

    def text(self) -> str:
        view = f" ({self.view})" if self.view else ""
        return (f"Social Tech Atlas contributors. Social Tech Atlas: European organisations "
                f"using digital technology for the common good, registry version "
                f"{self.version}{view}. Social Good Accelerator. {self.url}. Retrieved "
                f"{self.retrieved.isoformat()}. Licence: CC BY 4.0.")

    def bibtex(self) -> str:
        note = f"Retrieved {self.retrieved.isoformat()}"
        if self.view:
            note += f"; view: {self.view}"
        fields = {
            "author": "{Social Tech Atlas contributors}",
            "title": "Social Tech Atlas: European organisations using digital technology "
                     "for the common good",
            "version": self.version, "publisher": "Social Good Accelerator",
            "year": str(self.retrieved.year), "url": self.url,
            "note": note + "; licence CC BY 4.0",
        }
        body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items())
        return f"@misc{{social_tech_atlas_{self.retrieved:%Y%m%d}_{self.version},\n{body}\n}}"


def datapackage_descriptor(taxonomy: Taxonomy, *, path: str = "organisations.csv",
                           created: str | None = None,
                           citation: Citation | None = None) -> dict:
    """The Frictionless data package that describes an export of the registry."""
    descriptor = {
        "profile": "data-package",
        "name": "social-tech-atlas",
        "title": "Social Tech Atlas — European organisations using digital technology "
                 "for the common good",
        "licenses": [LICENCE],
        "sources": [
            {"title": "Social Tech Atlas contributors",
             "path": "https://github.com/social-tech-atlas"},
            {"title": "GeoNames (place names and coordinates, CC BY 4.0)",
             "path": "https://www.geonames.org/"},
        ],
        "resources": [
            {"name": "organisations", "path": path, "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
             "licenses": [LICENCE], "schema": table_schema(taxonomy)},
            {"name": "sectors", "path": "sectors.csv", "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": {"fields": [{"name": "id", "type": "string"},
                                   *({"name": f"label_{lang}", "type": "string"}
                                     for lang in taxonomy.languages),
                                   {"name": "colour", "type": "string"}],
                        "primaryKey": ["id"]}},
        ],
    }
    if created:
        descriptor["created"] = created
    if citation is not None:
        descriptor["version"] = citation.version
        descriptor["citation"] = citation.text()
    return descriptor


Cite = Callable[[int], "Citation | None"]


def write_datapackage(fh: BinaryIO, frames: Iterable[pd.DataFrame], taxonomy: Taxonomy,
                      sectors_csv: bytes, cite: Cite) -> int:
    """A zip with organisations.csv (streamed into the archive), sectors.csv,
    datapackage.json and CITATION.txt; the number of organisations written."""
    created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("organisations.csv", "w", force_zip64=True) as member:
            count = write_csv(member, frames)
        citation = cite(count)
        zf.writestr("datapackage.json", json.dumps(
            datapackage_descriptor(taxonomy, created=created, citation=citation), indent=2,
            ensure_ascii=False))
        zf.writestr("sectors.csv", sectors_csv)
        if citation is not None:
            zf.writestr("CITATION.txt", citation.text() + "\n\n" + citation.bibtex() + "\n\n"
                        + "Sources:\n" + "\n".join(f"- {s}" for s in DATA_SOURCES) + "\n")
    return count


def datapackage_bytes(frame: pd.DataFrame, taxonomy: Taxonomy, sectors_csv: bytes,
                      citation: Citation | None = None) -> bytes:
    """A zip with organisations.csv, sectors.csv, datapackage.json (and CITATION.txt)."""
    buffer = io.BytesIO()
    write_datapackage(buffer, [frame], taxonomy, sectors_csv, lambda _count: citation)
    return buffer.getvalue()


def write_xlsx(fh: BinaryIO, frames: Iterable[pd.DataFrame], cite: Cite) -> int:
    """An Excel workbook: the organisations (formulas neutralised, numbers as numbers)
    and an "About" sheet with the licence, sources and citation; rows are streamed to a
    temporary file by openpyxl's write-only mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organisations")
    sheet.append(list(FIELD_NAMES))
    count = 0
    for frame in frames:
        for row in frame_to_rows(frame):
            sheet.append([_number(name, value) for name, value in zip(FIELD_NAMES, row)])
            count += 1
    about = workbook.create_sheet("about")
    about.append(["Licence", LICENCE["title"] + " — " + LICENCE["path"]])
    for source in DATA_SOURCES:
        about.append(["Source", source])
    citation = cite(count)
    if citation is not None:
        about.append(["Citation", citation.text()])
    workbook.save(fh)
    return count


def xlsx_bytes(frame: pd.DataFrame, citation: Citation | None = None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, [frame], lambda _count: citation)
    return buffer.getvalue()


def _number(name: str, text: str) -> object:
    if name in NUMERIC and text:
        return int(text) if name == "id" else float(text)
    return text


def write_atomically(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename; raise ExportError."""
    path = Path(path)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc} — the previous file, "
                          "if any, is unchanged") from exc
    finally:
        if tmp_name:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


EXPORT_FORMATS = ("csv", "csv-excel", "geojson", "xlsx", "datapackage")


def write_export(fh: BinaryIO, frames: Iterable[pd.DataFrame], fmt: str, taxonomy: Taxonomy,
                 data_dir: Path, cite: Cite = lambda _count: None) -> int:
    """Write the organisations of ``frames`` (any number, e.g. streamed from the store)
    in one of EXPORT_FORMATS; ``cite`` turns the number written into the citation the
    file carries. Returns that number."""
    if fmt == "csv":
        return write_csv(fh, frames)
    if fmt == "csv-excel":
        return write_csv(fh, frames, excel=True)
    if fmt == "geojson":
        return write_geojson(fh, frames)
    if fmt == "xlsx":
        return write_xlsx(fh, frames, cite)
    if fmt == "datapackage":
        return write_datapackage(fh, frames, taxonomy,
                                 (Path(data_dir) / "sectors.csv").read_bytes(), cite)
    raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}, instead got: {fmt!r}")


def export_bytes(frame: pd.DataFrame, fmt: str, taxonomy: Taxonomy, data_dir: Path,
                 citation: Citation | None = None) -> bytes:
    """Render ``frame`` in one of EXPORT_FORMATS."""
    buffer = io.BytesIO()
    write_export(buffer, [frame], fmt, taxonomy, data_dir, lambda _count: citation)
    return buffer.getvalue()
