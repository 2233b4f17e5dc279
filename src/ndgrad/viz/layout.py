"""A small layered (Sugiyama-style) layout for drawing DAGs without Graphviz.

1. Layers: a node's layer is its longest distance from the sinks (the outputs), so every edge
   points from a higher layer (inputs, drawn on top) to a lower one (drawn below).
2. Edges spanning several layers get one dummy point per skipped layer, so they bend around
   boxes instead of crossing them.
3. Order within layers: a few barycenter sweeps up and down reduce crossings.
4. Coordinates: boxes placed left to right per layer, each layer centred; long edges follow their
   dummy points.
"""


def layered_layout(nodes, edges, size, h_gap=24, v_gap=46, sweeps=4):
    """Place ``nodes`` (hashable ids) given ``edges`` ``[(src, dst)]`` and ``size(node) -> (w, h)``.

    Returns ``(positions, routes, width, height)``: ``positions[node] = (x, y)`` of the box's top-left
    corner, ``routes[(src, dst)]`` a list of points from src's bottom to dst's top.
    """
    succ = {n: [] for n in nodes}
    pred = {n: [] for n in nodes}
    for s, d in edges:
        succ[s].append(d)
        pred[d].append(s)
    # 1. layers: longest path to a sink, computed iteratively in reverse topological order
    layer = {}
    order = _topological(nodes, succ, pred)
    for n in reversed(order):
        layer[n] = 1 + max((layer[d] for d in succ[n]), default=-1)
    n_layers = 1 + max(layer.values(), default=0)
    # 2. dummy points for long edges
    rows = [[] for _ in range(n_layers)]
    for n in order:
        rows[layer[n]].append(n)
    chains = {}
    for s, d in edges:
        span = layer[s] - layer[d]
        chain = [s]
        for k in range(1, span):
            dummy = ("dummy", s, d, k)
            rows[layer[s] - k].append(dummy)
            chain.append(dummy)
        chain.append(d)
        chains[(s, d)] = chain
    up, down = {}, {}
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    # 3. barycenter ordering, from the top layer (inputs) down and back up
    pos = {}
    for row in rows:
        for i, n in enumerate(row):
            pos[n] = i
    for _ in range(sweeps):
        for li in range(n_layers - 2, -1, -1):
            _sort_row(rows[li], up, pos)
        for li in range(1, n_layers):
            _sort_row(rows[li], down, pos)
    # 4. coordinates (layer n_layers-1 at the top)
    positions, centers = {}, {}
    width = 0
    row_sizes = []
    for row in rows:
        ws = [size(n)[0] if not _is_dummy(n) else 8 for n in row]
        row_w = sum(ws) + h_gap * max(len(row) - 1, 0)
        row_sizes.append((ws, row_w))
        width = max(width, row_w)
    y = 0
    heights = [max((size(n)[1] for n in row if not _is_dummy(n)), default=10) for row in rows]
    for li in range(n_layers - 1, -1, -1):
        ws, row_w = row_sizes[li]
        x = (width - row_w) / 2
        for n, w in zip(rows[li], ws):
            h = size(n)[1] if not _is_dummy(n) else heights[li]
            positions[n] = (x, y + (heights[li] - h) / 2)
            centers[n] = (x + w / 2, y + heights[li] / 2)
            x += w + h_gap
        y += heights[li] + v_gap
    height = y - v_gap
    routes = {}
    for (s, d), chain in chains.items():
        sx, sy = positions[s]
        sw, sh = size(s)
        dx, dy = positions[d]
        dw, _ = size(d)
        pts = [(sx + sw / 2, sy + sh)] + [centers[c] for c in chain[1:-1]] + [(dx + dw / 2, dy)]
        routes[(s, d)] = pts
    return {n: positions[n] for n in nodes}, routes, width, height


def _is_dummy(n):
    return isinstance(n, tuple) and len(n) == 4 and n[0] == "dummy"


def _sort_row(row, neighbours, pos):
    def bary(n):
        ns = neighbours.get(n, ())
        return sum(pos[m] for m in ns) / len(ns) if ns else pos[n]
    row.sort(key=bary)
    for i, n in enumerate(row):
        pos[n] = i


def _topological(nodes, succ, pred):
    """Kahn's algorithm, stable in the given node order (inputs first)."""
    from collections import deque
    indeg = {n: len(pred[n]) for n in nodes}
    ready = deque(n for n in nodes if indeg[n] == 0)
    out = []
    while ready:
        n = ready.popleft()
        out.append(n)
        for d in succ[n]:
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    if len(out) != len(nodes):
        raise ValueError("the graph has a cycle; autograd graphs are acyclic")
    return out
