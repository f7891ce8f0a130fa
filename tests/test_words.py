"""The word index answers exactly what a scan of every search text answers (issue 20:
free text at a million organisations), after patches too, and when mapped from a
snapshot."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from atlas_app.public.arrow import contains
from atlas_app.public.words import WordIndex

ALPHABET = "abcdeéxyz-'.0"
SPACES = (" ", "  ", "\n", "\t", "\u00a0")


def random_texts(rng: random.Random, n: int) -> list[str]:
    def word() -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))
    texts = []
    for _ in range(n):
        words = [word() for _ in range(rng.randint(0, 8))]
        text = ""
        for w in words:
            text += w + rng.choice(SPACES)
        texts.append(text)
    return texts


def queries(rng: random.Random, texts: list[str]) -> list[str]:
    """Words cut from the texts (found) and made up (mostly not found)."""
    found = [t.split()[0][:rng.randint(1, 4)] for t in rng.sample(texts, 20) if t.split()]
    return found + ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 4)))
                    for _ in range(20)]


def chunked(texts: list[str], size: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(texts[i:i + size], pa.string())
                             for i in range(0, len(texts), size)] or [pa.array([], pa.string())])


@pytest.mark.parametrize("seed", range(6))
def test_a_word_is_found_exactly_where_a_scan_finds_it(seed):
    rng = random.Random(seed)
    texts = random_texts(rng, 400)
    search = chunked(texts, rng.choice([7, 50, 400]))
    words = WordIndex.build(search)
    for word in queries(rng, texts):
        expected = np.array([word in t for t in texts])
        assert (contains(search, word) == expected).all()
        assert (words.rows_with(word, search) == expected).all(), word
        assert (words.rows_with(word, search) == expected).all(), "remembered"


def test_a_patched_word_index_answers_like_a_new_one():
    """Rows leave, new rows come at the end (as updates.patched does), several times."""
    rng = random.Random(7)
    texts = random_texts(rng, 300)
    words = WordIndex.build(chunked(texts, 64))
    for _ in range(4):
        keep = np.array([rng.random() > 0.1 for _ in texts])
        fresh = random_texts(rng, rng.randint(0, 30))
        texts = [t for t, k in zip(texts, keep, strict=True) if k] + fresh
        words = words.after_patch(keep, len(fresh))
        search = chunked(texts, 64)
        assert words.size == len(texts)
        for word in queries(rng, texts):
            expected = np.array([word in t for t in texts])
            assert (words.rows_with(word, search) == expected).all(), word


def test_an_empty_registry_and_empty_texts():
    search = chunked(["", "   ", "\n"], 2)
    words = WordIndex.build(search)
    assert not words.rows_with("a", search).any()
    empty = WordIndex.build(pa.chunked_array([], pa.string()))
    assert empty.rows_with("a", pa.chunked_array([], pa.string())).shape == (0,)


@pytest.mark.parametrize("gather", [1, 7, 1 << 20])
def test_common_words_are_gathered_in_pieces_and_still_right(monkeypatch, gather):
    """A letter is in nearly every token: its rows are gathered a piece at a time (so a
    search borrows little memory), and the answer is the same whatever the piece."""
    monkeypatch.setattr("atlas_app.public.words.GATHER_ROWS", gather)
    rng = random.Random(3)
    texts = [" ".join(f"a{i}{j}" for j in range(10)) for i in range(100)] + ["zzz"]
    texts += random_texts(rng, 200)
    search = chunked(texts, 30)
    words = WordIndex.build(search)
    for word in ["a", "z", "a1", "0", "é", "nope", *queries(rng, texts)]:
        expected = np.array([word in t for t in texts])
        assert (words.rows_with(word, search) == expected).all(), word
