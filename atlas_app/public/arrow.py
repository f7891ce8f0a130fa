"""The published registry as Arrow: read from the database in batches, its text folded
(accents and case) and searched with RE2 on every core.

These are the building blocks of :class:`atlas_app.public.index.RegistryIndex`.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from atlas_app.public.filters import SEARCHED_COLUMNS

# Arrow's own allocators keep freed memory for reuse; the index is built once per revision
# and then only read, so the system allocator (which gives memory back) suits it better.
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())

INDEX_COLUMNS = ("id", "name", "city", "country", "sector", "kind", "latitude", "longitude",
                 "created_at")


# The blocks of combining marks (accents) that NFKD splits off European letters.
COMBINING_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"


def fold_array(values: pa.Array) -> pa.Array:
    """:func:`atlas_app.registry.schema.fold` for a whole Arrow string array at once, but for
    whitespace, which is left as it is (searched words never contain any)."""
    ascii_only = pc.string_is_ascii(values)
    if not pc.all(ascii_only).as_py():
        decomposed = pc.utf8_normalize(pc.replace_substring(values, "ß", "ss"), "NFKD")
        bare = pc.replace_substring_regex(decomposed, COMBINING_MARKS, "")
        values = pc.if_else(ascii_only, values, bare)
    return pc.replace_substring(pc.utf8_lower(values), "ς", "σ")


PARALLEL_FROM = 100_000
_POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                           thread_name_prefix="atlas-search")


def contains(values: pa.ChunkedArray, word: str) -> np.ndarray:
    """Which of ``values`` contain ``word`` (RE2 finds a literal faster than pyarrow's
    plain substring kernel). Chunks are searched on every core (pyarrow releases the
    GIL)."""
    pattern = re.escape(word)

    def search(part: pa.Array) -> np.ndarray:
        return pc.match_substring_regex(part, pattern).to_numpy(zero_copy_only=False)
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    if len(chunks) == 1 and len(values) >= PARALLEL_FROM:
        step = -(-len(values) // _POOL._max_workers)
        chunks = [chunks[0].slice(start, step) for start in range(0, len(values), step)]
    if not chunks:
        return np.zeros(0, dtype=bool)
    if len(values) < PARALLEL_FROM:
        return np.concatenate([search(c) for c in chunks])
    return np.concatenate(list(_POOL.map(search, chunks)))


def tags_text(tags: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Tags → searchable words: lists are joined; JSON text (as stored) is used as it is,
    except the few values with ``\\u`` escapes (non-ASCII written by the database's JSON
    encoder), which are decoded."""
    if pa.types.is_list(tags.type) or pa.types.is_large_list(tags.type):
        return pc.fill_null(pc.binary_join(tags, " "), "")
    tags = pc.fill_null(pc.cast(tags, pa.string()), "")
    escaped = np.flatnonzero(pc.match_substring(tags, "\\u").to_numpy(zero_copy_only=False))
    if not len(escaped):
        return tags
    values = tags.to_pylist() if isinstance(tags, pa.Array) else tags.combine_chunks().to_pylist()
    for i in escaped:
        try:
            values[i] = " ".join(map(str, json.loads(values[i])))
        except (TypeError, ValueError):
            pass
    return pa.array(values, type=pa.string())


FOLD_SLICE = 100_000


def give_back_memory() -> None:
    """Return the memory freed while building to the system, so that a replica's size is
    what its index needs (allocators otherwise keep the peak)."""
    pa.default_memory_pool().release_unused()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def search_text(table: pa.Table) -> pa.Array:
    """One folded text per organisation (name, city, tags, descriptions), built in slices
    so that the intermediate copies stay small."""
    columns = [c for c in SEARCHED_COLUMNS if c in table.column_names]
    if not columns or not table.num_rows:
        return pa.array([""] * table.num_rows, type=pa.string())
    folded = []
    for start in range(0, table.num_rows, FOLD_SLICE):
        part = table.slice(start, FOLD_SLICE)
        texts = [tags_text(part.column(c)) if c == "tags" else
                 pc.fill_null(pc.cast(part.column(c), pa.string()), "") for c in columns]
        joined = pc.binary_join_element_wise(*texts, " ")
        if isinstance(joined, pa.ChunkedArray):
            joined = joined.combine_chunks()
        folded.append(fold_array(joined))
    return pa.concat_arrays(folded)


def categorical(values) -> pd.Categorical:
    encoded = pc.dictionary_encode(pc.fill_null(pc.cast(values, pa.string()), ""))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks() if encoded.num_chunks \
            else pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    return from_dictionary(encoded)


def from_dictionary(encoded: pa.DictionaryArray) -> pd.Categorical:
    """A pandas categorical sharing the Arrow array's codes (a missing value is code -1)
    and keeping its categories as Arrow strings (tens of thousands of city names would
    otherwise be as many Python objects)."""
    indices = encoded.indices
    codes = (pc.fill_null(indices, -1) if indices.null_count else indices).to_numpy()
    return pd.Categorical.from_codes(codes, categories=pd.Index(
        pd.array(encoded.dictionary.cast(pa.large_string()), dtype="str")))


def years(values) -> pd.arrays.IntegerArray:
    if pa.types.is_timestamp(values.type) or pa.types.is_date(values.type):
        years = pc.year(values)
    else:
        years = pc.cast(pc.utf8_slice_codeunits(pc.cast(values, pa.string()), 0, 4), pa.int64(),
                        safe=False)
    return pd.array(pc.cast(years, pa.float64()).to_numpy(zero_copy_only=False),
                    dtype="Int16") if len(values) else pd.array([], dtype="Int16")


def coordinates(values) -> np.ndarray:
    array = pc.fill_null(pc.cast(values, pa.float64()), np.nan).to_numpy(
        zero_copy_only=False).astype("float64")
    array[~np.isfinite(array)] = np.nan
    return array
