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

The same module cuts the screened captions into sentences (:func:`easy_spans`): for printable-ASCII captions whose
every candidate sentence end is an end of :func:`kale_assets.filtering.split_sentences` (no abbreviation that
may end a sentence, no quote around the end, a capital letter after it) the cuts are a byte loop; the others are
marked for Python.

Exact for ASCII text: Python's ``str.lower``/``str.split``/``[^\\W_]`` and the byte rules below agree there.
Text with any byte >= 0x80 must be checked in Python (:func:`drop_codes_arrow` callers do; a test holds the kernel
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
def _row_code(buf, a, e, min_words, degenerate, window, min_tokens, ratio, cls, low, alnum, space, seen, starts,
              ends, hashes, table, stamps, r):  # pragma: no cover - compiled
    """CODE_* of the non-null caption buf[a:e] (row ``r``: it stamps the exact check's hash table)."""
    found = False
    for k in range(a, e):
        if alnum[buf[k]]:
            found = True
            break
    if not found:
        return 1
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
        return 2
    if degenerate and not _surely_varied(buf, a, e, window, min_tokens, ratio, seen, cls, low) and _degenerate(
            buf, a, e, window, min_tokens, ratio, starts, ends, hashes, table, stamps, r, cls, low):
        return 3
    return 0


@nb.njit(nogil=True, cache=True)
def _drop_codes_claimed(buf, offsets, valid, min_words, degenerate, window, min_tokens, ratio, cls, low, alnum,
                        space, out, counter, chunk):  # pragma: no cover - compiled
    """Writes out[r] for the rows of every chunk of ``chunk`` rows this call claims from ``counter[0]`` (the next
    unclaimed chunk), until none is left.  Threads that share a counter share the rows in one call each (a call
    needs the GIL only to start).  The claim is not atomic: two threads may take the same chunk, and then both
    write the same codes - a chunk done twice costs time, never a wrong or a missing code."""
    n = len(offsets) - 1
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
    while True:
        k = counter[0]
        lo = k * chunk
        if lo >= n:
            break
        counter[0] = k + 1
        for r in range(lo, min(n, lo + chunk)):
            if not valid[r]:
                out[r] = 1
            else:
                out[r] = _row_code(buf, offsets[r], offsets[r + 1], min_words, degenerate, window, min_tokens, ratio,
                                   cls, low, alnum, space, seen, starts, ends, hashes, table, stamps, r)


def arrow_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bytes, int64 offsets into them, validity) of a string or large_string array, without copying the bytes."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    _, off_buf, data_buf = arr.buffers()
    if off_buf is None:  # an empty array may have no buffers
        return np.zeros(0, dtype=np.uint8), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.bool_)
    offsets = np.frombuffer(off_buf, dtype=width)[arr.offset:arr.offset + len(arr) + 1].astype(np.int64, copy=False)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    valid = (np.ones(len(arr), dtype=np.bool_) if arr.null_count == 0
             else arr.is_valid().to_numpy(zero_copy_only=False))
    return data, offsets, valid


def drop_codes_arrow(arr: pa.Array, min_words: int, degenerate: bool, window: int, min_tokens: int,
                     ratio: float) -> np.ndarray:
    """Per string of ``arr`` (string or large_string), CODE_KEEP / CODE_EMPTY (also null) / CODE_TOO_SHORT /
    CODE_DEGENERATE; exact for ASCII strings only."""
    out = np.zeros(len(arr), dtype=np.int8)
    if len(arr):
        drop_codes_shared(arrow_parts(arr), min_words, degenerate, window, min_tokens, ratio, out,
                          np.zeros(1, dtype=np.int64), len(arr))
    return out


def drop_codes_shared(parts: tuple[np.ndarray, np.ndarray, np.ndarray], min_words: int, degenerate: bool,
                      window: int, min_tokens: int, ratio: float, out: np.ndarray, counter: np.ndarray,
                      chunk: int) -> None:
    """:func:`drop_codes_arrow` into ``out`` for the chunks of rows this call claims from ``counter`` (see
    :func:`_drop_codes_claimed`); ``parts`` from :func:`arrow_parts`.  Threads calling it with the same arrays share
    the rows, each holding the GIL only to start."""
    data, offsets, valid = parts
    _drop_codes_claimed(data, offsets, valid, int(min_words), bool(degenerate), int(window), int(min_tokens),
                        float(ratio), _CLASS, _LOWER, _ALNUM, _SPACE, out, counter, int(chunk))


def drop_codes_list(texts: list[str | None], min_words: int, degenerate: bool, window: int, min_tokens: int,
                    ratio: float) -> np.ndarray:
    """:func:`drop_codes_arrow` for a list of Python strings."""
    return drop_codes_arrow(pa.array(texts, type=pa.large_string()), min_words, degenerate, window, min_tokens,
                            ratio)


# --- sentence cuts of "easy" captions -------------------------------------------------------------------------
# A caption is cut here unless _is_hard says it may match filtering._HARD_SPLIT_PATTERN: what is left is printable
# ASCII in which every candidate sentence end (a run of . ! ? and closers followed by a space) is a cut of
# filtering._sentence_spans, except a lone full stop after an abbreviation that never ends a sentence (Dr., e.g.).
_IS_END = np.zeros(256, dtype=np.bool_)
_IS_END[[ord(c) for c in ".!?"]] = True
_IS_RUN = np.zeros(256, dtype=np.bool_)
_IS_RUN[[ord(c) for c in ".!?\"')]"]] = True
_IS_CLOSER = np.zeros(256, dtype=np.bool_)
_IS_CLOSER[[ord(c) for c in "\"')]"]] = True
_IS_OPENER = np.zeros(256, dtype=np.bool_)  # what _is_boundary strips from the front of the word before a stop
_IS_OPENER[[ord(c) for c in "\"'(["]] = True


def pack_words(words) -> np.ndarray:
    """Sorted uint64 codes of ASCII words of at most 8 bytes (for :func:`easy_spans`' abbreviation look-up)."""
    codes = []
    for w in words:
        b = w.encode("ascii")
        if len(b) > 8:
            raise ValueError(f"{w!r}: longer than 8 bytes")
        codes.append(int.from_bytes(b.ljust(8, b"\0"), "little"))
    return np.array(sorted(codes), dtype=np.uint64)


@nb.njit(nogil=True, cache=True)
def _word_code(buf, a, e, low):  # pragma: no cover - compiled
    """The lower-cased bytes buf[a:e] packed little-endian into a uint64 (0 when longer than 8 bytes)."""
    if e - a > 8:
        return np.uint64(0)
    code = np.uint64(0)
    for k in range(e - 1, a - 1, -1):
        code = (code << np.uint64(8)) | low[buf[k]]
    return code


@nb.njit(nogil=True, cache=True)
def _contains(codes, code):  # pragma: no cover - compiled
    """Whether the sorted array ``codes`` holds ``code`` (a plain binary search: np.searchsorted costs more here)."""
    lo, hi = 0, len(codes)
    while lo < hi:
        mid = (lo + hi) >> 1
        if codes[mid] < code:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(codes) and codes[lo] == code


@nb.njit(nogil=True, cache=True)
def _is_never_stop(buf, a, k, never, low):  # pragma: no cover - compiled
    """Whether the full stop at buf[k] follows a never-ending abbreviation: the word before it (back to a space or
    the caption's start, openers stripped from its front) is in ``never``."""
    s = k
    while s > a and buf[s - 1] != 32:
        s -= 1
    while s < k and _IS_OPENER[buf[s]]:
        s += 1
    if s == k:
        return False
    return _contains(never, _word_code(buf, s, k, low))


@nb.njit(nogil=True, cache=True)
def _emit(buf, row, s, t, out_row, out_a, out_e, m):  # pragma: no cover - compiled
    """Append buf[s:t] with its spaces trimmed as a sentence of ``row`` (nothing when only spaces); the new count."""
    while s < t and buf[s] == 32:
        s += 1
    while t > s and buf[t - 1] == 32:
        t -= 1
    if t > s:
        out_row[m] = row
        out_a[m] = s
        out_e[m] = t
        m += 1
    return m


@nb.njit(nogil=True, cache=True)
def _easy_spans(buf, offsets, valid, never, maybe, low):  # pragma: no cover - compiled
    """Per row whether it is hard (:func:`_is_hard`, or null), and the (row, start, end) byte spans of the sentences
    of the others (see the section comment): the candidate ends are found as filtering._BOUNDARY_RE.finditer finds
    them (a maximal run from its first mark on)."""
    n = len(offsets) - 1
    cap = offsets[n] - offsets[0] + n + 1
    hard = np.zeros(n, dtype=np.bool_)
    out_row = np.empty(cap, dtype=np.int64)
    out_a = np.empty(cap, dtype=np.int64)
    out_e = np.empty(cap, dtype=np.int64)
    m = 0
    for r in range(n):
        a, e = offsets[r], offsets[r + 1]
        if not valid[r] or _is_hard(buf, a, e, maybe, low):
            hard[r] = True
            continue
        start = a
        k = a
        while k < e:
            if not _IS_END[buf[k]]:
                k += 1
                continue
            q = k + 1
            while q < e and _IS_RUN[buf[q]]:
                q += 1
            if q < e and buf[q] == 32:
                lone = buf[k] == 46
                for p in range(k + 1, q):
                    lone = lone and _IS_CLOSER[buf[p]]
                if not (lone and _is_never_stop(buf, a, k, never, low)):
                    m = _emit(buf, r, start, q, out_row, out_a, out_e, m)
                    start = q
            k = q
        m = _emit(buf, r, start, e, out_row, out_a, out_e, m)
    return hard, out_row[:m], out_a[:m], out_e[:m]


def easy_spans(arr: pa.Array, never: np.ndarray, maybe: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(hard, row, start, end): per string whether the splitter leaves it to Python (null, or see :func:`_is_hard`),
    and the sentence spans of the others, ascending, start and end relative to the row's own text (byte =
    character offsets: the text is ASCII).  ``never`` and ``maybe`` are :func:`pack_words` codes of the
    abbreviations whose full stop never ends a sentence and of those that may."""
    data, offsets, valid = arrow_parts(arr)
    hard, row, a, e = _easy_spans(data, offsets, valid, never, maybe, _LOWER)
    base = offsets[row]
    return hard, row, a - base, e - base


_IS_WORD = _ALNUM.copy()  # Python's \w within ASCII
_IS_WORD[ord("_")] = True
_IS_DELIM = np.zeros(256, dtype=np.bool_)  # what may stand before an abbreviation in _HARD_SPLIT_PATTERN
_IS_DELIM[[ord(c) for c in " \"'(["]] = True


@nb.njit(nogil=True, cache=True)
def _is_hard(buf, a, e, maybe, low):  # pragma: no cover - compiled
    """Whether filtering._HARD_SPLIT_PATTERN could match buf[a:e] (a superset: never False where it matches)."""
    last_closer = -2  # the last " or ' not followed by a word character (what closes a quote); -2: not looked for
    dq_seen = False  # a " before here
    sq_open = False  # an opening ' (after a non-word character) with no closing ' since
    streak = 0  # non-space characters just before here
    k = a
    while k < e:
        b = buf[k]
        if b < 0x20 or b > 0x7E:
            return True
        if not _IS_END[b]:
            if b == 34:
                dq_seen = True
            elif b == 39:
                if k == a or not _IS_WORD[buf[k - 1]]:
                    sq_open = True
                elif k + 1 == e or not _IS_WORD[buf[k + 1]]:
                    sq_open = False
            streak = 0 if b == 32 else streak + 1
            k += 1
            continue
        q = k
        quote_in_run = False
        while q < e and _IS_RUN[buf[q]]:
            if _IS_END[buf[q]] and streak >= 38:
                return True  # \S{38,}[.!?]
            quote_in_run = quote_in_run or buf[q] == 34 or buf[q] == 39
            streak += 1
            q += 1
        if q < e and buf[q] == 32:
            r = q
            while r < e and buf[r] == 32:
                r += 1
            if r < e and not (65 <= buf[r] <= 90):
                return True  # a candidate end before a word that does not open with a capital
            if dq_seen or sq_open or quote_in_run:
                if last_closer == -2:
                    last_closer = _last_closer(buf, a, e)
                if last_closer > q:
                    return True  # a candidate end that may lie inside a quoted span
            if buf[k] == 46:
                s = k
                while s > a and not _IS_DELIM[buf[s - 1]]:
                    s -= 1
                if _abbrev_like(buf, s, k, maybe, low):
                    return True
        # the run's quotes update the quote state as they would outside a run
        for p in range(k, q):
            if buf[p] == 34:
                dq_seen = True
            elif buf[p] == 39:
                if p == a or not _IS_WORD[buf[p - 1]]:
                    sq_open = True
                elif p + 1 == e or not _IS_WORD[buf[p + 1]]:
                    sq_open = False
        k = q
    return False


@nb.njit(nogil=True, cache=True)
def _last_closer(buf, a, e):  # pragma: no cover - compiled
    """The position of the last " or ' not followed by a word character in buf[a:e] (-1: none)."""
    for p in range(e - 1, a - 1, -1):
        if buf[p] == 34 or (buf[p] == 39 and (p + 1 == e or not _IS_WORD[buf[p + 1]])):
            return p
    return -1


@nb.njit(nogil=True, cache=True)
def _abbrev_like(buf, s, k, maybe, low):  # pragma: no cover - compiled
    """Whether buf[s:k] is a "maybe" abbreviation, a single letter or an initialism (A.B.C) - case-insensitively."""
    n = k - s
    if n == 0:
        return False
    if n == 1:
        return 97 <= low[buf[s]] <= 122
    if n % 2 == 1:
        initialism = True
        for p in range(s, k):
            if (p - s) % 2 == 0:
                initialism = initialism and 97 <= low[buf[p]] <= 122
            else:
                initialism = initialism and buf[p] == 46
        if initialism:
            return True
    code = _word_code(buf, s, k, low)
    return code != 0 and _contains(maybe, code)


@nb.njit(nogil=True, cache=True)
def _hard_rows(buf, offsets, valid, maybe, low):  # pragma: no cover - compiled
    n = len(offsets) - 1
    out = np.zeros(n, dtype=np.bool_)
    for r in range(n):
        out[r] = not valid[r] or _is_hard(buf, offsets[r], offsets[r + 1], maybe, low)
    return out


def hard_rows(arr: pa.Array, maybe: np.ndarray) -> np.ndarray:
    """Per string (nulls too), whether the compiled splitter must leave it to Python (see :func:`_is_hard`)."""
    data, offsets, valid = arrow_parts(arr)
    return _hard_rows(data, offsets, valid, maybe, _LOWER)

