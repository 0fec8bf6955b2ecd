"""Named fail points for crash tests: ``KALE_FAILPOINT=<name>@<n>`` SIGKILLs this process the n-th time it
reaches ``failpoint(<name>)`` (n defaults to 1). Unset, a fail point costs one environment lookup.

The crash-safety tests kill `kale run` at exact moments this way (mid-commit, mid-save, between two chunks of
a GPU step) and check that a plain re-run ends with the same final shards as an uninterrupted run.
"""

from __future__ import annotations

import os
import signal

FAILPOINT_ENV = "KALE_FAILPOINT"
_hits: dict[str, int] = {}


def failpoint(name: str) -> None:
    spec = os.environ.get(FAILPOINT_ENV)
    if not spec:
        return
    target, _, nth = spec.partition("@")
    if target != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
