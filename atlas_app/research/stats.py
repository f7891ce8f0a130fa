"""Counts over the registry: by status, country, sector and location."""

from __future__ import annotations

import pandas as pd


def compute_stats(frame: pd.DataFrame) -> dict:
    """Counts of a registry frame (every status), as plain JSON-ready values."""
    located = frame["latitude"].notna()

    def counts(column: pd.Series) -> dict[str, int]:
        return {str(k): int(v) for k, v in column.value_counts().sort_index().items()}

    published = frame[frame["status"] == "published"]
    return {
        "total": int(len(frame)),
        "by_status": counts(frame["status"]),
        "published_by_country": counts(published["country"]),
        "published_by_sector": counts(published["sector"]),
        "published_by_kind": counts(published["kind"]),
        "located": int(located.sum()),
        "unlocated": int((~located).sum()),
        "by_location_precision": counts(frame["location_precision"]),
    }
