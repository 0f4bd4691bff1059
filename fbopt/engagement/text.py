"""Text features for the engagement model, vectorised over a whole batch: hashed word and
character n-grams (as bags of bucket ids) and the engagement signals.

Not for per-post quality scoring (fbopt.quality) and not a tokenizer for anything else.
Signals use fbopt.quality.signals' patterns, so both read a question, a hashtag or a call to
action the same way; only the cheap ones are counted here, because predict must keep up with
tens of thousands of posts a second. Hashing is XOR tabulation over UTF-8 bytes with a table
drawn from a fixed SHAKE-256 stream, so bucket ids are the same in every process and platform
(Python's hash() is not).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fbopt.quality import signals as quality

HASH_VERSION = 2
_POSITIONS = 32
_MIX = np.uint32(0x9E3779B1)
_LINK_TOKEN = b"xlinkx"
SIGNALS = ("has_text", "char_count", "word_count", "question_count", "has_question",
           "cta_count", "hashtag_count", "emoji_count", "mention_count", "link_count",
           "number_count", "line_count", "caps_word_count", "exclamation_count",
           "exclamation_density", "quote_count")


@functools.lru_cache(maxsize=1)
def _random_words() -> np.ndarray:
    raw = hashlib.shake_256(f"fbopt-ngram-hash-v{HASH_VERSION}".encode()).digest(
        (_POSITIONS * 256 + 64) * 4)
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def _table() -> np.ndarray:
    return _random_words()[: _POSITIONS * 256].reshape(_POSITIONS, 256)


def _salt(i: int) -> np.uint32:
    return _random_words()[_POSITIONS * 256 + i]


@functools.lru_cache(maxsize=1)
def _token_bytes() -> np.ndarray:
    """Bytes that belong to a word: ASCII letters and digits, # @ _ ', and every byte of a
    non-ASCII character (letters of other scripts, and emoji, stay whole)."""
    table = np.zeros(256, dtype=bool)
    for ch in "abcdefghijklmnopqrstuvwxyz0123456789#@_'":
        table[ord(ch)] = True
    table[0x80:] = True
    return table


@dataclass
class Bag:
    """Bucket ids of one kind of n-gram for a batch, grouped by post: post i owns
    ids[offsets[i]:offsets[i+1]] (offsets has one entry per post, as torch's EmbeddingBag
    wants); `weights` scale each id by 1/sqrt(the post's count)."""

    ids: np.ndarray
    offsets: np.ndarray
    weights: np.ndarray


def _buffers(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of a string array; the bytes are not copied."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    strings = pc.fill_null(strings.cast(pa.string()), "")
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)
    offsets = offsets[strings.offset: strings.offset + len(strings) + 1].astype(np.int64)
    data_buffer = strings.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None \
        else np.zeros(0, np.uint8)
    return offsets, data


def normalise(text: pa.Array, max_chars: int) -> pa.Array:
    """Lower case, cut to max_chars, each link replaced by one token."""
    text = pc.utf8_lower(pc.utf8_slice_codeunits(pc.fill_null(text, ""), 0, max_chars))
    return pc.replace_substring_regex(text, quality.LINK, " " + _LINK_TOKEN.decode() + " ")


@dataclass
class Tokens:
    """Word positions in a normalised batch: byte start and length, and the post of each."""

    start: np.ndarray
    length: np.ndarray
    doc: np.ndarray
    prefix: Prefix
    posts: int
    first_byte: np.ndarray
    is_link: np.ndarray


def tokenize(normalised: pa.Array) -> Tokens:
    offsets, data = _buffers(normalised)
    data = data[offsets[0]: offsets[-1]]
    offsets = offsets - offsets[0]
    size = len(data)
    inside = _token_bytes()[data]
    # A word starts at a word byte after a non-word byte or at the start of a post, and ends
    # before a non-word byte or at the end of a post.
    before = np.zeros(size, dtype=bool)
    before[1:] = inside[:-1]
    before[offsets[:-1][offsets[:-1] < size]] = False
    after = np.zeros(size, dtype=bool)
    after[:-1] = inside[1:]
    closing = offsets[1:] - 1
    after[closing[closing >= 0]] = False
    starts = np.flatnonzero(inside & ~before)
    lengths = np.flatnonzero(inside & ~after) + 1 - starts
    doc = np.searchsorted(offsets, starts, side="right") - 1
    prefix = Prefix(data)
    first = data[starts] if size else np.zeros(0, np.uint8)
    is_link = lengths == len(_LINK_TOKEN)
    is_link[is_link] = prefix.segments(starts[is_link], lengths[is_link]) == _link_hash()
    return Tokens(starts, lengths, doc, prefix, len(normalised), first, is_link)


@functools.lru_cache(maxsize=1)
def _link_hash() -> np.uint32:
    token = np.frombuffer(_LINK_TOKEN, dtype=np.uint8)
    return Prefix(token).segments(np.array([0]), np.array([len(token)]))[0]


_BASE = np.uint32(0x01000193)  # odd, so invertible modulo 2**32
_BASE_INVERSE = np.uint32(pow(0x01000193, -1, 1 << 32))


class Prefix:
    """Prefix sums of a polynomial hash over a byte buffer (mod 2**32, bytes first mapped to
    random words): any segment's hash is then two lookups and a multiply."""

    def __init__(self, data: np.ndarray) -> None:
        with np.errstate(over="ignore"):
            powers = _powers(len(data) + 1)
            self.sums = np.zeros(len(data) + 1, dtype=np.uint32)
            np.cumsum(_table()[0][data] * powers[: len(data)], out=self.sums[1:])
        self.inverse = _inverse_powers(len(data) + 1)

    def segments(self, start: np.ndarray, length: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            raw = (self.sums[start + length] - self.sums[start]) * self.inverse[start]
            # Fold in the length so "ab" and "ab\0" cannot meet, then mix the low bits up.
            return (raw ^ _table()[1][length & 255]) * _MIX


_POWER_CACHE: dict[int, np.ndarray] = {}


def _powers_of(base: int, size: int) -> np.ndarray:
    """base**0 .. base**(size-1) mod 2**32, from one cached array per base that only grows
    (to the next power of two), so every batch after the first reuses it."""
    cached = _POWER_CACHE.get(base)
    if cached is None or len(cached) < size:
        length = 1 << max(int(size - 1).bit_length(), 16)
        values = np.full(length, base, dtype=np.uint32)
        values[0] = 1
        with np.errstate(over="ignore"):
            cached = np.cumprod(values, dtype=np.uint32)
        _POWER_CACHE[base] = cached
    return cached[:size]


def _powers(size: int) -> np.ndarray:
    return _powers_of(int(_BASE), size)


def _inverse_powers(size: int) -> np.ndarray:
    return _powers_of(int(_BASE_INVERSE), size)


def _bag(doc: np.ndarray, hashes: np.ndarray, n: int, salt: np.uint32, bits: int) -> Bag:
    ids = (((hashes ^ salt) * _MIX) >> np.uint32(32 - bits)).astype(np.int64)
    counts = np.bincount(doc, minlength=n)
    offsets = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=offsets[1:])
    scale = (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
    return Bag(ids, offsets, scale[doc])


def word_bags(tokens: Tokens, bits: int, bigrams: bool = True, salt: int = 0) -> list[Bag]:
    """Unigram (and bigram) bags of the words of each post."""
    hashes = tokens.prefix.segments(tokens.start, tokens.length)
    doc, n = tokens.doc, tokens.posts
    bags = [_bag(doc, hashes, n, _salt(salt), bits)]
    if bigrams:
        same = doc[:-1] == doc[1:]
        rotated = (hashes[1:] << np.uint32(7)) | (hashes[1:] >> np.uint32(25))
        bags.append(_bag(doc[:-1][same], ((hashes[:-1] * _MIX) ^ rotated)[same], n,
                         _salt(1), bits))
    return bags


def key_bag(keys: pa.Array, bits: int, salt: int) -> Bag:
    """One id per post for a whole string (the page's id): a learned vector per page, so the
    network can tell pages' audiences apart beyond their level."""
    offsets, data = _buffers(keys)
    lengths = np.diff(offsets)
    hashes = Prefix(data).segments(offsets[:-1], lengths)
    return _bag(np.arange(len(keys)), hashes, len(keys), _salt(salt), bits)


def key_hashes(keys: pa.Array) -> np.ndarray:
    """One 32-bit hash per whole string (a page's id), for crossing with a code."""
    offsets, data = _buffers(keys)
    return Prefix(data).segments(offsets[:-1], np.diff(offsets))


def cross_ids(key_hash: np.ndarray, codes: np.ndarray, bits: int, salt: int) -> np.ndarray:
    """Bucket ids of (key, code) pairs, such as (page, hour): one id per post."""
    with np.errstate(over="ignore"):
        mixed = (key_hash ^ _salt(salt)) * _MIX + codes.astype(np.uint32) * np.uint32(
            0x85EBCA6B)
        return ((mixed * _MIX) >> np.uint32(32 - bits)).astype(np.int64)


def char_bag(tokens: Tokens, bits: int, orders: tuple[int, ...]) -> Bag:
    """Character n-grams at the edges of each word: the first and the last `order` bytes of
    every word longer than `order`, for each order (word stems and endings, as in fastText,
    at a fraction of the cost of every n-gram)."""
    width = 2 * len(orders)
    hashes = np.zeros((len(tokens.start), max(width, 1)), dtype=np.uint32)
    valid = np.zeros(hashes.shape, dtype=bool)
    ends = tokens.start + tokens.length
    for i, order in enumerate(orders):
        # One column per (order, edge), flattened row by row: ids stay grouped by post.
        rows = np.flatnonzero(tokens.length > order)
        size = np.full(len(rows), order)
        hashes[rows, 2 * i] = tokens.prefix.segments(tokens.start[rows], size) ^ _salt(8 + order)
        hashes[rows, 2 * i + 1] = tokens.prefix.segments(ends[rows] - order, size) \
            ^ _salt(24 + order)
        valid[rows, 2 * i: 2 * i + 2] = True
    docs = np.broadcast_to(tokens.doc[:, None], valid.shape)[valid]
    return _bag(docs, hashes[valid], tokens.posts, _salt(2), bits)


def signals(text: pa.Array, normalised: pa.Array, tokens: Tokens) -> dict[str, np.ndarray]:
    """The engagement signals of each post, as float arrays keyed by SIGNALS. Hashtags,
    mentions, numbers and links are read off the tokens and punctuation off the normalised
    bytes (links are gone from those, so a '?' in a URL is no question); only calls to action
    and capitals need a pass of their own over the text."""
    text = pc.fill_null(text, "")
    n = tokens.posts
    first = tokens.first_byte

    def per_post(mask: np.ndarray, doc: np.ndarray) -> np.ndarray:
        return np.bincount(doc[mask], minlength=n).astype(np.float64)

    def regex(pattern: str) -> np.ndarray:
        return pc.count_substring_regex(text, pattern).to_numpy(
            zero_copy_only=False).astype(np.float64)

    marks = _byte_counts(normalised, n)
    chars = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.float64)
    words = np.bincount(tokens.doc, minlength=n).astype(np.float64)
    return {
        "has_text": (chars > 0).astype(np.float64),
        "char_count": chars,
        "word_count": words,
        "question_count": marks["?"],
        "has_question": (marks["?"] > 0).astype(np.float64),
        "cta_count": regex(quality.CTA),
        "hashtag_count": per_post(first == ord("#"), tokens.doc),
        "emoji_count": marks["emoji"],
        "mention_count": per_post(first == ord("@"), tokens.doc),
        "link_count": per_post(tokens.is_link, tokens.doc),
        "number_count": per_post((first >= ord("0")) & (first <= ord("9")), tokens.doc),
        "line_count": marks["\n"],
        "caps_word_count": regex(quality.CAPS_WORD),
        "exclamation_count": marks["!"],
        "exclamation_density": marks["!"] / np.maximum(words, 1.0),
        "quote_count": marks['"'] + marks["\u201c"],
    }


def _byte_counts(normalised: pa.Array, n: int) -> dict[str, np.ndarray]:
    """Per post: ? ! newline and quote marks, and emoji (4-byte characters and the symbol
    blocks U+2600-U+27BF, U+2B00-U+2BFF, whose UTF-8 starts E2 98-9F or E2 AC-AF)."""
    offsets, data = _buffers(normalised)

    def count(mask: np.ndarray) -> np.ndarray:
        where = np.flatnonzero(mask)
        doc = np.searchsorted(offsets, where, side="right") - 1
        return np.bincount(doc, minlength=n).astype(np.float64)

    lead_e2 = data[:-1] == 0xE2
    second = data[1:]
    symbols = lead_e2 & (((second >= 0x98) & (second <= 0x9F)) | ((second >= 0xAC) &
                                                                     (second <= 0xAF)))
    curly = lead_e2 & (second == 0x80) & (np.append(data[2:], 0) == 0x9C)
    return {
        "?": count(data == ord("?")), "!": count(data == ord("!")),
        "\n": count(data == ord("\n")), '"': count(data == ord('"')),
        "\u201c": count(curly), "emoji": count(data == 0xF0) + count(symbols),
    }
