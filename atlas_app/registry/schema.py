"""The registry's contract: fields, types, limits, enumerations and the sector taxonomy."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale

from atlas_app.errors import ConfigError
from atlas_app.i18n import N_, available_languages
from atlas_app.text import fold, normalise_header


@dataclass(frozen=True)
class Field:
    """One column of the registry.

    ``type`` is one of ``string``, ``integer``, ``number``, ``list``, ``datetime``;
    ``synonyms`` are header spellings (already normalised by :func:`normalise_header`)
    that map onto this field when reading files.
    """

    name: str
    type: str
    description: str
    required: bool = False
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    synonyms: tuple[str, ...] = ()
    public: bool = True


KINDS = ("support", "solution")
# English labels; translations live in atlas_app/locale/<lang>.po.
KIND_LABELS = {
    "support": N_("Supports digital transition"),
    "solution": N_("Alternative digital solution"),
}
KIND_SYNONYMS = {
    "support": ("support", "accompagnement", "accompagnateur", "enabler", "helps"),
    "solution": ("solution", "solutions", "tool", "outil", "service", "alternative"),
}
STATUSES = ("published", "pending", "archived")
PRECISIONS = ("exact", "address", "postcode", "district", "locality", "region", "country", "none")
LOCATION_SOURCES = ("provided", "manual", "gazetteer", "online", "none")

TEXT_LIMIT = 500
# Descriptions can be written in every language the interface speaks (English, then each
# catalogue's): a file or a form gives them as ``description_<lang>``; the database keeps
# them in one JSON map, ``descriptions`` (see registry/store.py and migration 0013).
DESCRIPTION_LANGUAGES = available_languages()
DESCRIPTION_FIELDS = tuple(f"description_{lang}" for lang in DESCRIPTION_LANGUAGES)
# Header spellings beyond the generic ones (``description <lang>``, ``description (<lang>)``,
# ``description:<lang>``, ``<language> description``): what files have been seen to use.
_MORE_DESCRIPTION_HEADERS = {
    "en": ("description", "summary", "description en anglais"),
    "fr": ("description francaise", "description en francais"),
    "de": ("beschreibung",),
    "es": ("descripcion",),
    "it": ("descrizione",),
    "pt": ("descricao",),
    "pl": ("opis",),
}


def _description_synonyms(lang: str) -> tuple[str, ...]:
    english = Locale.parse(lang).get_display_name("en").lower()
    return (f"description {lang}", f"description:{lang}", f"description ({lang})",
            f"description_{lang}", f"{english} description", f"description in {english}",
            *_MORE_DESCRIPTION_HEADERS.get(lang, ()))


def description_field(lang: str) -> str:
    """The field of a description in ``lang``: ``description_de``."""
    return f"description_{lang}"

FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "Stable identifier given by the registry; never reused.",
          synonyms=("id",)),
    Field("name", "string", "The organisation's usual name.", required=True, max_length=200,
          synonyms=("name", "nom", "organisation", "organization", "nom de l'organisation",
                    "nom de la structure", "structure", "raison sociale", "title")),
    *(Field(f"description_{lang}", "string",
            f"What the organisation does, in {Locale.parse(lang).get_display_name('en')}.",
            max_length=5000, synonyms=_description_synonyms(lang))
      for lang in DESCRIPTION_LANGUAGES),
    Field("website", "string", "Public website, an http:// or https:// address.",
          max_length=TEXT_LIMIT,
          synonyms=("website", "site web", "site", "site internet", "url", "web",
                    "contact:website", "homepage", "lien")),
    Field("email", "string", "Public contact e-mail address (optional).", max_length=254,
          synonyms=("email", "e mail", "courriel", "mail", "contact:email", "adresse e mail",
                    "adresse mail")),
    Field("kind", "string",
          "support: helps the social economy with its digital transition; "
          "solution: offers alternative digital tools and services.",
          required=True, enum=KINDS,
          synonyms=("kind", "type", "type d'acteur", "type d'organisation", "nature")),
    Field("sector", "string", "Primary sector, an id from data/sectors.csv (the map colour).",
          required=True, synonyms=("sector", "secteur", "thematique", "domaine", "theme")),
    Field("tags", "list", "Any number of keywords, separated by ';' in files.",
          max_length=TEXT_LIMIT,
          synonyms=("tags", "mots cles", "keywords", "etiquettes", "mots clefs")),
    Field("legal_form", "string", "Legal form (association, cooperative, foundation, …).",
          max_length=200,
          synonyms=("legal form", "forme juridique", "statut juridique", "legal status")),
    Field("country", "string", "ISO 3166-1 alpha-2 code; names in common languages are mapped.",
          required=True,
          synonyms=("country", "pays", "addr:country", "country code", "code pays", "land")),
    Field("city", "string", "City, town or village.", required=True, max_length=200,
          synonyms=("city", "ville", "commune", "addr:city", "town", "locality", "localite")),
    Field("postcode", "string", "Postal code, kept as text.", max_length=20,
          synonyms=("postcode", "code postal", "cp", "zip", "zip code", "postal code",
                    "addr:postcode")),
    Field("address", "string", "Street address.", max_length=TEXT_LIMIT,
          synonyms=("address", "adresse", "street", "rue", "addr:street",
                    "adresse postale")),
    Field("latitude", "number", "WGS 84 latitude in decimal degrees (-90 to 90).",
          synonyms=("latitude", "lat", "y")),
    Field("longitude", "number", "WGS 84 longitude in decimal degrees (-180 to 180).",
          synonyms=("longitude", "lon", "lng", "long", "x")),
    Field("location_precision", "string", "How precise the coordinates are.", enum=PRECISIONS,
          synonyms=("location precision",)),
    Field("location_source", "string", "Where the coordinates came from.",
          enum=LOCATION_SOURCES, synonyms=("location source",)),
    Field("location_note", "string", "How the location was found, or why it was not.",
          max_length=TEXT_LIMIT, synonyms=("location note",)),
    Field("status", "string", "published (on the public map), pending (awaiting review) "
          "or archived (hidden, never deleted).", enum=STATUSES,
          synonyms=("status", "statut", "etat")),
    Field("source", "string", "Where the row came from (dataset, upload, staff).",
          max_length=TEXT_LIMIT, synonyms=("source", "origine", "provenance")),
    Field("created_at", "datetime", "When the row entered the registry (UTC).",
          synonyms=("created at",)),
    Field("updated_at", "datetime", "When the row last changed (UTC).",
          synonyms=("updated at",)),
)

FIELD_BY_NAME = {f.name: f for f in FIELDS}
FIELD_NAMES = tuple(f.name for f in FIELDS)
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.required)


SYNONYM_TO_FIELD: dict[str, str] = {}
for _f in FIELDS:
    for _syn in (_f.name, *_f.synonyms):
        SYNONYM_TO_FIELD.setdefault(normalise_header(_syn), _f.name)


@dataclass(frozen=True)
class Sector:
    """One entry of the taxonomy: an id, its label in each language (``label_<lang>``
    columns of sectors.csv; English required) and its map colour."""

    id: str
    labels: tuple[tuple[str, str], ...]  # (language, label), English first
    colour: str

    def label(self, lang: str) -> str:
        """The label in ``lang``, else in English."""
        return dict(self.labels).get(lang) or self.label_en

    @property
    def label_en(self) -> str:
        return self.labels[0][1]


@dataclass(frozen=True)
class Taxonomy:
    """The sectors, in file order, with lookups by id or by label in either language."""

    sectors: tuple[Sector, ...]
    _by_key: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for s in self.sectors:
            for key in (s.id, *(label for _lang, label in s.labels)):
                self._by_key.setdefault(fold(key), s.id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sectors)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a label column (English first)."""
        found = dict.fromkeys(lang for s in self.sectors for lang, _label in s.labels)
        return tuple(found)

    def get(self, sector_id: str) -> Sector | None:
        return next((s for s in self.sectors if s.id == sector_id), None)

    def resolve(self, value: str) -> str | None:
        """Sector id for an id or a label in any of its languages, any case or accents."""
        return self._by_key.get(fold(value))


_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SECTOR_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_taxonomy(data_dir: Path) -> Taxonomy:
    """Read ``sectors.csv``; a malformed line raises ConfigError naming it."""
    path = Path(data_dir) / "sectors.csv"
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ConfigError(f"cannot read the sector taxonomy {path}: {exc}") from exc
    languages = [c.removeprefix("label_") for c in (rows[0] if rows else {})
                 if c and c.startswith("label_")]
    if "en" not in languages:
        raise ConfigError(f"{path} needs a label_en column (English is the fallback)")
    languages.sort(key=lambda lang: lang != "en")
    sectors: list[Sector] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        sid = (row.get("id") or "").strip()
        colour = (row.get("colour") or "").strip()
        if not _SECTOR_ID.match(sid):
            raise ConfigError(f"{path}:{line}: sector id must be lowercase letters, digits "
                              f"and hyphens, instead got: {sid!r}")
        if sid in seen:
            raise ConfigError(f"{path}:{line}: sector id {sid!r} appears twice")
        if not _COLOUR.match(colour):
            raise ConfigError(f"{path}:{line}: colour must look like #1F77B4, "
                              f"instead got: {colour!r}")
        seen.add(sid)
        labels = tuple((lang, (row.get(f"label_{lang}") or "").strip()) for lang in languages)
        if not labels[0][1]:
            raise ConfigError(f"{path}:{line}: sector {sid!r} has no English label")
        sectors.append(Sector(sid, tuple((lang, text) for lang, text in labels if text),
                              colour))
    if not sectors:
        raise ConfigError(f"{path} lists no sectors")
    return Taxonomy(tuple(sectors))
