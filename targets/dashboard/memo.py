"""Results of pure computations kept in Django's cache under a digest of all
their inputs.

The key is made of the inputs themselves, not of a name that every write must
remember to invalidate: when a write changes an input, the next read computes
a new key, misses, and computes afresh; the entry made from the old inputs is
never read again and ages out of the cache. So there is nothing to invalidate
and nothing can be served stale, whichever process or write path changed the
data. What goes into a key is the caller's duty: everything the computation
reads (the dashboard's subordinates' table lists its inputs in
:func:`targets.dashboard.children.reporting_children`).

The per-process memory cache (the default) is enough: each worker fills its
own on its first read of a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

#: Bumped when the shape of a stored value or of a computation changes, so that
#: a deployment never reads what an older version stored (a shared cache).
VERSION = 1
#: Entries are content-keyed: the timeout only bounds how long unused ones stay.
TIMEOUT = 7 * 24 * 3600


def digest(*parts: str) -> str:
    """A short, stable digest of the parts (the same in every process)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode()
        h.update(len(data).to_bytes(8, "little"))  # "ab","c" differs from "a","bc"
        h.update(data)
    return h.hexdigest()


def memo_many(
    namespace: str, inputs: Mapping[int, str], compute: Callable[[int], T]
) -> dict[int, T]:
    """``compute(k)`` for every key of `inputs`, whose value spells out all that
    ``compute(k)`` reads; results found under the same spelling are reused."""
    keys = {k: f"{namespace}:{VERSION}:{digest(text)}" for k, text in inputs.items()}
    found = cache.get_many(keys.values())
    out: dict[int, T] = {}
    missing: dict[str, T] = {}
    for k, key in keys.items():
        if key in found:
            out[k] = found[key]
        else:
            out[k] = missing[key] = compute(k)
    if missing:
        cache.set_many(missing, timeout=TIMEOUT)
    return out
