"""An in-memory fsspec store that lists by key prefix the way S3's ListObjectsV2 does.

fsspec's own memory store ignores `find(prefix=...)` and returns every key, so it cannot show what an
incremental listing saves. This one keeps its keys sorted and answers a prefix with the keys under it only
(like s3fs's `find(path, maxdepth=1, prefix=...)`, one server-side filtered listing).
Used by the control-plane tests and the scale simulation, where 400k objects on a real S3 API (moto) would
take longer to upload than everything else together.
"""

from __future__ import annotations

import bisect
from typing import ClassVar

import fsspec
from fsspec.implementations.memory import MemoryFileSystem

PROTOCOL = "prefixmem"


class PrefixListingStore(MemoryFileSystem):
    protocol = PROTOCOL
    # Class attributes in MemoryFileSystem: own ones, so this store never sees the plain memory store's keys.
    store: ClassVar[dict] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]
    _sorted: ClassVar[list[str]] = []
    _sorted_len = -1

    @classmethod
    def reset(cls) -> None:
        cls.store.clear()
        cls.pseudo_dirs[:] = [""]
        cls._sorted, cls._sorted_len = [], -1

    @classmethod
    def put_empty(cls, paths) -> None:
        """Create objects (empty) in bulk, without one `open` per object."""
        fs = cls()
        for path in paths:
            cls.store[fs._strip_protocol(path)] = fsspec.implementations.memory.MemoryFile(fs, path, b"")

    def _keys(self) -> list[str]:
        cls = type(self)
        if cls._sorted_len != len(cls.store):
            cls._sorted, cls._sorted_len = sorted(cls.store), len(cls.store)
        return cls._sorted

    def find(self, path, maxdepth=None, withdirs=False, detail=False, prefix="", **kwargs):
        if not prefix:
            return super().find(path, maxdepth=maxdepth, withdirs=withdirs, detail=detail, **kwargs)
        start = self._strip_protocol(path).rstrip("/") + "/" + prefix
        keys = self._keys()
        found = []
        for key in keys[bisect.bisect_left(keys, start):]:
            if not key.startswith(start):
                break
            if maxdepth == 1 and "/" in key[len(start) - len(prefix):]:
                continue
            found.append(key)
        return {k: self.info(k) for k in found} if detail else found


def register() -> None:
    fsspec.register_implementation(PROTOCOL, PrefixListingStore, clobber=True)
