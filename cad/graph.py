"""Connected components, with SciPy's sparse-graph routine (one helper for the package).

Contours made of loose segments (a mesh's section, a DXF's LINE and ARC entities) and
air regions of a sliced part are joined into pieces the same way: nodes, pairs of nodes
that touch, and `scipy.sparse.csgraph.connected_components` over them.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def component_labels(n: int, rows: Sequence[int], cols: Sequence[int]) -> tuple[int, np.ndarray]:
    """(count, label of each node 0..n-1) of the undirected graph with edges rows[k]-cols[k]."""
    graph = coo_matrix((np.ones(len(rows)), (np.asarray(rows, dtype=int),
                                             np.asarray(cols, dtype=int))), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    return int(count), labels


def components(pairs: Iterable[tuple[Hashable, Hashable]]) -> dict[Hashable, int]:
    """{node: component label} of the graph whose edges are `pairs` of hashable nodes
    (e.g. rounded end points of segments)."""
    index: dict[Hashable, int] = {}
    rows, cols = [], []
    for a, b in pairs:
        rows.append(index.setdefault(a, len(index)))
        cols.append(index.setdefault(b, len(index)))
    _, labels = component_labels(len(index), rows, cols)
    return {node: int(labels[i]) for node, i in index.items()}
