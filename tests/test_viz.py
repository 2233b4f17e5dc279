"""Seeing the graph: DOT/SVG drawing, the backward trace and saved-memory accounting."""
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import ndgrad


def seed_graph():
    a = ndgrad.tensor([2., 3.], requires_grad=True)
    b = ndgrad.tensor([6., 4.], requires_grad=True)
    return a, b, 3 * a ** 3 - b ** 2


def count_by_next_functions(root):
    nodes, edges, stack = set(), 0, [root]
    while stack:
        n = stack.pop()
        if n in nodes:
            continue
        nodes.add(n)
        for nxt, _ in n.next_functions:
            if nxt is not None:
                edges += 1
                stack.append(nxt)
    return len(nodes), edges


def test_graph_counts_equal_next_functions_walk():
    a, b, Q = seed_graph()
    g = ndgrad.viz.graph(Q, params={"a": a, "b": b})
    assert (len(g.nodes), len(g.edges)) == count_by_next_functions(Q.grad_fn) == (6, 5)
    names = sorted(n.name() for n in g.nodes)
    assert names == ["AccumulateGrad", "AccumulateGrad", "MulBackward0", "PowBackward0", "PowBackward0",
                     "SubBackward0"]


def test_dot_output_labels_and_parses_with_graphviz_when_present():
    a, b, Q = seed_graph()
    dot = ndgrad.viz.graph(Q, params={"a": a, "b": b}).to_dot()
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert 'label="a\\n[2] float32"' in dot and "SubBackward0" in dot
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=dot.encode(), check=True, capture_output=True)


def test_svg_is_well_formed_and_shows_every_node():
    a, b, Q = seed_graph()
    svg = ndgrad.viz.graph(Q, params={"a": a, "b": b})._repr_svg_()
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for name in ("SubBackward0", "MulBackward0", "PowBackward0", "a", "b", "output"):
        assert name in texts


def test_frozen_parameters_are_marked_outside_the_dag():
    w = ndgrad.randn(3, 3, requires_grad=True)
    frozen = ndgrad.randn(3, 3)  # requires_grad=False: never enters the graph
    x = ndgrad.randn(2, 3)
    out = ((x * frozen.sum(0)) * w.sum(0)).sum()
    g = ndgrad.viz.graph(out, params={"w": w, "backbone.weight": frozen})
    assert [f[0] for f in g.frozen] == ["backbone.weight"]
    dot = g.to_dot()
    assert "excluded from the DAG" in dot and "backbone.weight" in dot
    assert 'label="w\\n[3, 3] float32", fillcolor="#cfe8ff"' in dot


def test_saved_bytes_equal_saved_arrays_nbytes_and_zero_after_backward():
    x = ndgrad.randn(10, 20, requires_grad=True)
    y = x.exp()              # saves its output: 800 bytes
    z = (y * x).tanh()       # mul saves y and x (1600), tanh saves its output (800)
    loss = z.sum()
    m = ndgrad.autograd.saved_memory(loss)
    assert m.total == 800 + 1600 + 800
    assert dict(m.per_node)["ExpBackward0"] == 800
    loss.backward()
    assert ndgrad.autograd.saved_memory(loss).total == 0


def test_trace_records_nodes_in_execution_order_and_finds_first_nonfinite():
    x = ndgrad.tensor([0.0, 1.0, 4.0], requires_grad=True)
    with ndgrad.autograd.trace() as t:
        y = x.sqrt()              # d/dx sqrt at 0 is inf: the first non-finite gradient
        loss = (y * 2).exp().sum()
        loss.backward()
    names = [r.name for r in t.records]
    assert names == ["SumBackward0", "ExpBackward0", "MulBackward0", "SqrtBackward0", "AccumulateGrad"]
    bad = t.first_nonfinite()
    assert bad.name == "SqrtBackward0"
    assert "y = x.sqrt()" in bad.source
    r = t.records[1]
    assert r.grad_in[0][0] == (3,) and r.grad_in[0][1] == "float32"
    np.testing.assert_allclose(r.grad_in[0][2], np.sqrt(3.0))
    assert "top" in t.table()


def test_trace_of_graph_built_outside_says_so():
    x = ndgrad.tensor([1.0], requires_grad=True)
    loss = (x * 3).sum()
    with ndgrad.autograd.trace() as t:
        loss.backward()
    assert t.records[0].source == "(created before tracing started)"


def test_group_by_module_needs_names():
    a, b, Q = seed_graph()
    with pytest.raises(ValueError, match="params"):
        ndgrad.viz.graph(Q, group_by_module=True)


def test_freeze_unfreeze_and_summary_counts():
    from ndgrad import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8))
            self.fc = nn.Linear(8, 3)

        def forward(self, x):
            return self.fc(self.features(x))

    net = Net()
    counts = ndgrad.nn.utils.freeze(net, except_=("fc",))
    assert counts == (8 * 3 + 3, 4 * 8 + 8 + 8 * 8 + 8)
    assert [n for n, p in net.named_parameters() if p.requires_grad] == ["fc.weight", "fc.bias"]
    assert ndgrad.nn.utils.unfreeze(net, only="features.2") == (27 + 72, 40)
    s = ndgrad.nn.utils.summary(net, (2, 4))
    rows = {r[0]: r for r in s.rows}
    assert rows["features"][2] == [2, 8] and rows["fc"][2] == [2, 3]
    assert rows["features"][3:] == (40 + 72, 72)
    assert (s.trainable, s.frozen) == (27 + 72, 40)
    assert "frozen parameters" in str(s)
    net.requires_grad_(False)  # plain requires_grad_ keeps working
    assert ndgrad.nn.utils.unfreeze(net) == (139, 0)
