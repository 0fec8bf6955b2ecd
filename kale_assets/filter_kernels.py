"""The artifact filter's caption-level drop checks as one compiled pass over an Arrow string buffer.

:func:`kale_assets.filtering.filter_frame` must decide for every caption whether it is ``empty`` (no letter or
digit), ``too_short`` (fewer than ``min_words`` ``str.split()`` words) or ``degenerate_repetition`` (fewer than
``min_unique_ratio`` distinct tokens among its last ``window_tokens`` tokens).  Done with polars string and list
expressions that cost several regex scans of the column; here it is one numba loop over the bytes, which stops
reading a caption as soon as its answer is certain (its first letter, its ``min_words``-th word, enough distinct
tokens at its end), and which polars' regex scan can run beside on the other core (numba releases the GIL).  The
repetition check first tries a certificate that needs no hash table (:func:`_surely_varied`: one bit of 256 per
token hash, a lower bound on the distinct tokens); only captions it cannot pass (loops, short or collision-heavy
tails) take the exact check.

Exact for ASCII text: Python's ``str.lower``/``str.split``/``[^\\W_]`` and the byte rules below agree there.
Text with any byte >= 0x80 must be checked in Python (:func:`drop_codes` callers do; a test holds the kernel
equal to :func:`kale_assets.filtering._caption_drop_reason` on adversarial ASCII).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pyarrow as pa

CODE_KEEP, CODE_EMPTY, CODE_TOO_SHORT, CODE_DEGENERATE = 0, 1, 2, 3

# Byte classes of the repetition tokeniser (filtering._degenerate_tokens): the caption lower-cased, the characters
# , . ; : ! ? " ( ) deleted, \n \t \r made spaces, split on single spaces, empty pieces dropped.
_CONTENT, _SEPARATOR, _DELETED = 0, 1, 2
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[[ord(c) for c in " \n\t\r"]] = _SEPARATOR
_CLASS[[ord(c) for c in ',.;:!?"()']] = _DELETED
_LOWER = np.arange(256, dtype=np.uint64)
_LOWER[ord("A"):ord("Z") + 1] += 32
_ALNUM = np.zeros(256, dtype=np.bool_)
_ALNUM[[ord(c) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = True
# str.split() whitespace within ASCII: \t \n \x0b \x0c \r, \x1c-\x1f and the space
_SPACE = np.zeros(256, dtype=np.bool_)
_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


@nb.njit(nogil=True, cache=True)
def _same_token(buf, s1, e1, s2, e2, cls, low):  # pragma: no cover - compiled
    """Whether two byte ranges are the same token once deleted characters are skipped and case folded."""
    i, j = s1, s2
    while True:
        while i < e1 and cls[buf[i]] == 2:
            i += 1
        while j < e2 and cls[buf[j]] == 2:
            j += 1
        if i >= e1 or j >= e2:
            return i >= e1 and j >= e2
        if low[buf[i]] != low[buf[j]]:
            return False
        i += 1
        j += 1


@nb.njit(nogil=True, cache=True)
def _degenerate(buf, a, e, window, min_tokens, ratio, starts, ends, hashes, table, stamps, row, cls, low
                ):  # pragma: no cover - compiled
    """The repetition check on buf[a:e], reading tokens from the end into a hash set of the distinct tokens
    (equal hashes are compared byte by byte, so a collision cannot change the answer; ``stamps`` marks the slots
    this row filled, so the table is never cleared).  It stops once the distinct count reaches ratio * window,
    which no window can fail."""
    cap = window if window > 0 else e - a + 1
    mask = len(table) - 1
    ntok = 0
    distinct = 0
    enough = ratio * window if window > 0 else 1e300
    h = np.uint64(14695981039346656037)  # FNV-1a over the token's kept bytes, last to first
    content = 0
    tend = e
    k = e - 1
    while k >= a - 1:
        c = cls[buf[k]] if k >= a else 1  # a separator before the first byte ends the first token
        if c == 0:
            h = (h ^ low[buf[k]]) * np.uint64(1099511628211)
            content += 1
        elif c == 1:
            if content:
                slot = np.int64(h) & mask
                found = False
                while stamps[slot] == row:
                    t = table[slot]
                    if hashes[t] == h and _same_token(buf, starts[t], ends[t], k + 1, tend, cls, low):
                        found = True
                        break
                    slot = (slot + 1) & mask
                starts[ntok] = k + 1
                ends[ntok] = tend
                hashes[ntok] = h
                if not found:
                    stamps[slot] = row
                    table[slot] = ntok
                    distinct += 1
                    if distinct >= enough:
                        return False
                ntok += 1
                if ntok >= cap:
                    break
                h = np.uint64(14695981039346656037)
                content = 0
            tend = k
        k -= 1
    total = ntok
    while total < min_tokens and k >= a:  # a window shorter than min_tokens: count the tokens before it
        k -= 1
        content = 0
        while k >= a and cls[buf[k]] != 1:
            content += cls[buf[k]] == 0
            k -= 1
        total += content > 0
    if total < min_tokens:
        return False
    return distinct < ratio * ntok


@nb.njit(nogil=True, cache=True)
def _surely_varied(buf, a, e, window, min_tokens, ratio, seen, cls, low):  # pragma: no cover - compiled
    """A cheap sound certificate that buf[a:e] is NOT degenerate: the same tokens from the end as :func:`_degenerate`,
    but each only sets one bit (of 256) picked by its hash.  A bit set for the first time is a token not seen before
    (equal tokens hash alike), so the number of such bits is at most the number of distinct tokens: once it reaches
    what the exact check needs, the caption passes.  False means "unknown" (a loop, or bits collided): the caller runs
    the exact check.  Most captions pass here without the exact check's hash table."""
    if window <= 0:
        return False
    seen[0] = seen[1] = seen[2] = seen[3] = np.uint64(0)
    bits = 0
    ntok = 0
    enough = ratio * window
    h = np.uint64(0)  # a rotate-xor hash of the token's kept bytes (a short dependency chain), mixed at its end
    content = 0
    for k in range(e - 1, a - 2, -1):
        b = buf[k] if k >= a else 32  # a separator before the first byte ends the first token
        c = cls[b]
        if c == 0:
            h = ((h << np.uint64(7)) | (h >> np.uint64(57))) ^ low[b]
            content = 1
        elif c == 1 and content:
            h ^= h >> np.uint64(29)
            m = (h * np.uint64(11400714819323198485)) >> np.uint64(56)
            word = np.int64(m >> np.uint64(6))
            bit = np.uint64(1) << (m & np.uint64(63))
            if not seen[word] & bit:
                seen[word] |= bit
                bits += 1
                if bits >= enough:
                    return True
            ntok += 1
            if ntok >= window:
                return False
            h = np.uint64(0)
            content = 0
    # the whole caption was read: ntok is its token count, below the window (as in _degenerate's last lines)
    return ntok < min_tokens or bits >= ratio * ntok


@nb.njit(nogil=True, cache=True)
def _drop_codes(buf, offsets, valid, min_words, degenerate, window, min_tokens, ratio, cls, low, alnum, space
                ):  # pragma: no cover - compiled
    n = len(offsets) - 1
    out = np.zeros(n, dtype=np.int8)
    longest = 1
    for r in range(n):
        longest = max(longest, offsets[r + 1] - offsets[r] + 1)
    cap = min(window, longest) if window > 0 else longest
    starts = np.empty(cap, dtype=np.int64)
    ends = np.empty(cap, dtype=np.int64)
    hashes = np.empty(cap, dtype=np.uint64)
    size = 64
    while size < 2 * cap:
        size *= 2
    table = np.empty(size, dtype=np.int64)
    stamps = np.full(size, -1, dtype=np.int64)
    seen = np.zeros(4, dtype=np.uint64)
    for r in range(n):
        if not valid[r]:
            out[r] = 1
            continue
        a, e = offsets[r], offsets[r + 1]
        found = False
        for k in range(a, e):
            if alnum[buf[k]]:
                found = True
                break
        if not found:
            out[r] = 1
            continue
        words = 0
        inword = False
        for k in range(a, e):
            if space[buf[k]]:
                inword = False
            elif not inword:
                inword = True
                words += 1
                if words >= min_words:
                    break
        if words < min_words:
            out[r] = 2
        elif degenerate and not _surely_varied(buf, a, e, window, min_tokens, ratio, seen, cls, low) and _degenerate(
                buf, a, e, window, min_tokens, ratio, starts, ends, hashes, table, stamps, r, cls, low):
            out[r] = 3
    return out


def drop_codes_arrow(arr: pa.Array, min_words: int, degenerate: bool, window: int, min_tokens: int,
                     ratio: float) -> np.ndarray:
    """Per string of ``arr`` (string or large_string), CODE_KEEP / CODE_EMPTY (also null) / CODE_TOO_SHORT /
    CODE_DEGENERATE; exact for ASCII strings only."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not len(arr):
        return np.zeros(0, dtype=np.int8)
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=width)[arr.offset:arr.offset + len(arr) + 1].astype(np.int64, copy=False)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    valid = (np.ones(len(arr), dtype=np.bool_) if arr.null_count == 0
             else arr.is_valid().to_numpy(zero_copy_only=False))
    return _drop_codes(data, offsets, valid, int(min_words), bool(degenerate), int(window), int(min_tokens),
                       float(ratio), _CLASS, _LOWER, _ALNUM, _SPACE)


def drop_codes_list(texts: list[str | None], min_words: int, degenerate: bool, window: int, min_tokens: int,
                    ratio: float) -> np.ndarray:
    """:func:`drop_codes_arrow` for a list of Python strings."""
    return drop_codes_arrow(pa.array(texts, type=pa.large_string()), min_words, degenerate, window, min_tokens,
                            ratio)
