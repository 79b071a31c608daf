"""How much the cache saves: a cold build of every variant, then a cached rebuild.

A pure function (returns numbers, prints nothing) so tests and scripts can call it; the
CLI (`python -m cad bench`) only formats its result. Builds go to a temporary folder,
never touching build/.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from cad.build import build


def bench(root: str | os.PathLike | None = None, *, jobs: int | None = None,
          hub: str | os.PathLike | None = None, designs: Iterable[str] | None = None,
          out: str | os.PathLike | None = None) -> dict[str, Any]:
    """Time a forced cold build then a cached rebuild into `out` (default: a temporary
    folder, removed afterwards). Returns seconds, ratio cold/cached and counts."""
    with tempfile.TemporaryDirectory(prefix="usine-bench-") as tmp:
        target = Path(out) if out is not None else Path(tmp)
        designs = list(designs) if designs is not None else None
        cold = build(root, target, designs=designs, jobs=jobs, force=True, hub=hub)
        cached = build(root, target, designs=designs, jobs=jobs, hub=hub)
    return {
        "variants": len(cold.built) + len(cold.failures),
        "jobs": jobs or os.cpu_count() or 1,
        "cold_seconds": round(cold.seconds, 3),
        "cached_seconds": round(cached.seconds, 3),
        "ratio": round(cold.seconds / cached.seconds, 1) if cached.seconds > 0 else None,
        "cold_built": len(cold.built),
        "cached_rebuilt": len(cached.built),
        "failures": [f.line() for f in cold.failures],
    }
