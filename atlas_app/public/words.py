"""Free text at a million organisations: each distinct word of the search texts once,
with the organisations whose text holds it (an inverted index).

A searched word never contains whitespace, so it occurs in a text exactly when it occurs
inside one of the text's whitespace-separated tokens. Matching the word against the
distinct tokens (tens of thousands, not a million texts) and taking their organisations
answers exactly what a substring scan of every text answers — ``tests/test_words.py``
compares both on random registries — in a few milliseconds instead of 70–170.

The tokens and their organisations are Arrow arrays (a list of row numbers per token), so
that a snapshot (:mod:`atlas_app.public.snapshot`) maps them from its file like the rest
of the index. An index patched with a few changes (:mod:`atlas_app.public.updates`) keeps
its word index: the organisations that left are masked out, and those appended since the
build (the *tail*) are scanned, a few thousand texts at most.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from atlas_app.public.arrow import contains

# Row numbers gathered at a time for a common word (a letter is in nearly every token:
# tens of millions of rows), so that the memory a search borrows stays small.
GATHER_ROWS = 1 << 20
REMEMBERED_WORDS = 64  # the last words searched, kept as bitmaps (N/8 bytes each)


class WordIndex:
    """The tokens of ``search`` (an index's folded search texts) and where they occur."""

    def __init__(self, table: pa.Table, size: int, position: np.ndarray | None = None,
                 tail_start: int | None = None) -> None:
        self.table = table  # (token, rows): each token once, its rows at build time, sorted
        tokens, rows = table.column("token"), table.column("rows")
        self.tokens = tokens.combine_chunks() if tokens.num_chunks != 1 else tokens.chunk(0)
        lists = rows.combine_chunks() if rows.num_chunks != 1 else rows.chunk(0)
        self._offsets = lists.offsets.to_numpy()
        self._rows = lists.values.to_numpy()
        # The tokens' UTF-8 bytes end to end, and where each token starts in them.
        _, starts, data = self.tokens.buffers()
        first = self.tokens.offset
        self._starts = np.frombuffer(starts, dtype=np.int32)[first:first + len(self.tokens) + 1] \
            if starts is not None else np.zeros(1, dtype=np.int32)
        self._bytes = np.frombuffer(data, dtype=np.uint8) if data is not None else \
            np.zeros(0, dtype=np.uint8)
        self._byte_counts = np.bincount(
            self._bytes[self._starts[0]:self._starts[-1]], minlength=256)
        self.size = size  # organisations in the index now
        # Row at build time → position now (-1: gone); None while nothing changed.
        self.position = position
        self.tail_start = size if tail_start is None else tail_start
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # sessions search from their own threads

    @classmethod
    def build(cls, search: pa.ChunkedArray | pa.Array) -> "WordIndex":
        """The word index of ``search`` (one text per organisation, in index order)."""
        chunks = search.chunks if isinstance(search, pa.ChunkedArray) else [search]
        encoded, row_parts, offset = [], [], 0
        for chunk in chunks:
            split = pc.utf8_split_whitespace(chunk)
            encoded.append(pc.dictionary_encode(pc.list_flatten(split)))
            row_parts.append(pc.list_parent_indices(split).to_numpy().astype(np.int64) + offset)
            offset += len(chunk)
        if encoded:
            # One dictionary for every chunk (Arrow's hash tables, not Python's).
            unified = pa.chunked_array(encoded, pa.dictionary(pa.int32(), pa.string())
                                       ).unify_dictionaries()
            vocabulary = unified.chunk(0).dictionary
            tokens = np.concatenate([c.indices.to_numpy(zero_copy_only=False)
                                     for c in unified.chunks]).astype(np.int64)
            del unified, encoded
            # Sorted by token, then organisation; one entry per (token, organisation)
            # however often the word recurs in the text.
            pairs = (tokens << 32) | np.concatenate(row_parts)
            del tokens, row_parts
            pairs.sort()  # in place (np.unique takes minutes at this size with numpy 2.4)
            pairs = _distinct(pairs)
            counts = np.bincount(pairs >> 32, minlength=len(vocabulary))
            rows = (pairs & 0xFFFFFFFF).astype(np.uint32)
            del pairs
        else:
            vocabulary = pa.array([], pa.string())
            rows, counts = np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        return cls(pa.table({
            "token": vocabulary,
            "rows": pa.ListArray.from_arrays(pa.array(offsets), pa.array(rows))}), offset)

    # -- after a patch ----------------------------------------------------------------------

    def after_patch(self, keep: np.ndarray, appended: int) -> "WordIndex":
        """This index for the index patched by dropping the rows where ``keep`` is False
        and appending ``appended`` rows (see :func:`atlas_app.public.updates.patched`)."""
        shift = np.cumsum(keep, dtype=np.int64) - 1  # old position → new position
        shift[~keep] = -1
        if self.position is None:
            position = shift[:self.tail_start].astype(np.int32)
        else:
            position = np.where(self.position >= 0, shift[np.maximum(self.position, 0)],
                                -1).astype(np.int32)
        tail_start = int(np.count_nonzero(keep[:self.tail_start]))
        index = copy.copy(self)  # the tokens and their derived arrays are shared, not redone
        index.size = int(np.count_nonzero(keep)) + appended
        index.position, index.tail_start = position, tail_start
        index._remembered, index._lock = OrderedDict(), threading.Lock()
        return index

    @property
    def tail(self) -> int:
        """Organisations added since the build (scanned, not looked up)."""
        return self.size - self.tail_start

    # -- searching --------------------------------------------------------------------------

    def rows_with(self, word: str, search: pa.ChunkedArray) -> np.ndarray:
        """Which organisations' texts contain ``word`` (a boolean array over the index).
        ``search`` is the index's search texts (for common words and the tail)."""
        with self._lock:
            remembered = self._remembered.get(word)
            if remembered is not None:
                self._remembered.move_to_end(word)
        if remembered is not None:
            return np.unpackbits(remembered, count=self.size).astype(bool)
        found = self._looked_up(word, search)
        with self._lock:
            self._remembered[word] = np.packbits(found)
            if len(self._remembered) > REMEMBERED_WORDS:
                self._remembered.popitem(last=False)
        return found

    def tokens_with(self, word: str) -> np.ndarray:
        """The ids of the tokens that contain ``word``: its bytes are looked for in the
        tokens' bytes end to end (a match across two tokens does not count), from the
        rarest of its bytes — a few vectorised passes, not a call per token."""
        pattern = np.frombuffer(word.encode("utf-8"), dtype=np.uint8)
        size = len(pattern)
        first, last = int(self._starts[0]), int(self._starts[-1])
        if not size or last - first < size:
            return np.zeros(0, dtype=np.int64)
        rarest = int(np.argmin(self._byte_counts[pattern]))
        area = self._bytes[first + rarest:last - size + 1 + rarest]
        candidates = np.flatnonzero(area == pattern[rarest]) + first  # match starts
        for k in range(size):
            if k != rarest and len(candidates):
                candidates = candidates[self._bytes[candidates + k] == pattern[k]]
        token = np.searchsorted(self._starts, candidates, side="right") - 1
        inside = candidates + size <= self._starts[token + 1]
        return _distinct(token[inside])  # candidates, hence tokens, come in order

    def _looked_up(self, word: str, search: pa.ChunkedArray) -> np.ndarray:
        tokens = self.tokens_with(word)
        starts, ends = self._offsets[tokens], self._offsets[tokens + 1]
        found = np.zeros(self.size, dtype=bool)
        # Tokens in groups of about GATHER_ROWS rows; each group's slices of the postings
        # at once (no Python loop over tokens).
        ends_at = np.cumsum(ends - starts, dtype=np.int64)
        cuts = np.searchsorted(ends_at, np.arange(GATHER_ROWS, ends_at[-1] if len(tokens)
                                                  else 0, GATHER_ROWS), side="right")
        for group in np.split(np.arange(len(tokens)), cuts):
            if not len(group):
                continue
            first, last = starts[group].astype(np.int64), ends[group].astype(np.int64)
            lengths = last - first
            rows = self._rows[np.repeat(first - np.cumsum(lengths) + lengths, lengths)
                              + np.arange(int(lengths.sum()))]
            if self.position is not None:
                rows = self.position[rows]
                rows = rows[rows >= 0]
            found[rows] = True
        if self.tail:
            found[self.tail_start:] = contains(search.slice(self.tail_start), word)
        return found


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
