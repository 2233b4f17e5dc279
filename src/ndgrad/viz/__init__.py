"""ndgrad.viz: draw the autograd DAG.

    g = ndgrad.viz.graph(loss, params=model.named_parameters())
    g.save("graph.svg")            # pure-Python SVG, no external program
    g.save("graph.png")            # PNG/PDF through Graphviz's ``dot`` when it is installed
    print(g.to_dot())              # DOT text
    g                              # in Jupyter: displays itself (_repr_svg_)

Boxes are the real ``grad_fn`` nodes (``MulBackward0``, ``AccumulateGrad``, ...), with the bytes
each holds in saved tensors. Leaves show their name (from ``params``), shape and dtype: trainable
leaves in blue; parameters passed in ``params`` that are frozen (``requires_grad=False``) are not in
the DAG at all, so they are listed in a grey box beside it. The output is the green box at the
bottom; inputs are on top, and edges follow the forward direction (input -> consumer).
"""
import shutil
import subprocess

from ..autograd.inspect_graph import walk, saved_bytes, _human
from ..autograd.node import AccumulateGrad
from .svg import render_svg

__all__ = ["graph", "Graph"]

TRAINABLE, FROZEN, OUTPUT, OP, GROUP = "#cfe8ff", "#e4e4e4", "#c8f0c8", "#fff6d5", "#f3e5ff"


class _Box:
    __slots__ = ("id", "lines", "fill", "dashed", "count")

    def __init__(self, id, lines, fill, dashed=False):
        self.id, self.lines, self.fill, self.dashed = id, lines, fill, dashed
        self.count = 1


class Graph:
    """A drawable autograd graph (see the module docstring). ``nodes``/``edges`` are the grad_fn
    nodes and ``next_functions`` edges it was built from."""

    def __init__(self, nodes, edges, boxes, box_edges, frozen, title=None):
        self.nodes, self.edges = nodes, edges
        self.boxes, self.box_edges = boxes, box_edges
        self.frozen = frozen  # [(name, shape, dtype, numel)] of frozen parameters (not in the DAG)
        self.title = title

    # -- DOT ---------------------------------------------------------------------------------------
    def to_dot(self):
        out = ["digraph autograd {", '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.25, ranksep=0.35];',
               '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
               '  edge [arrowsize=0.6];']
        if self.title:
            out.append(f'  labelloc="t"; label="{_esc(self.title)}";')
        for b in self.boxes:
            style = ', style="rounded,filled,dashed"' if b.dashed else ""
            out.append(f'  n{b.id} [label="{_esc(chr(10).join(b.lines))}", fillcolor="{b.fill}"{style}];')
        for s, d in self.box_edges:
            out.append(f"  n{s} -> n{d};")
        if self.frozen:
            total = sum(f[3] for f in self.frozen)
            lines = [f"frozen: {len(self.frozen)} tensors, {total:,} parameters", "(requires_grad=False: not in the DAG)"]
            lines += [f"{n} {list(s)}" for n, s, _, _ in self.frozen[:12]]
            if len(self.frozen) > 12:
                lines.append(f"... and {len(self.frozen) - 12} more")
            out.append("  subgraph cluster_frozen {")
            out.append(f'    label="excluded from the DAG"; style=dashed; color="#999999";')
            out.append(f'    frozen [label="{_esc(chr(10).join(lines))}", fillcolor="{FROZEN}", '
                       'style="rounded,filled,dashed"];')
            out.append("  }")
        out.append("}")
        return "\n".join(out)

    source = property(to_dot)

    def __str__(self):
        return self.to_dot()

    # -- SVG / PNG / PDF ---------------------------------------------------------------------------
    def to_svg(self):
        return render_svg(self)

    def _repr_svg_(self):
        return self.to_svg()

    def save(self, path, format=None):
        """Write ``path`` as .svg (pure Python), .dot, or .png/.pdf (needs Graphviz's ``dot``)."""
        fmt = (format or str(path).rsplit(".", 1)[-1]).lower()
        if fmt == "svg":
            data = self.to_svg().encode()
        elif fmt in ("dot", "gv"):
            data = self.to_dot().encode()
        elif fmt in ("png", "pdf"):
            exe = shutil.which("dot")
            if exe is None:
                raise RuntimeError(f"writing {fmt.upper()} needs Graphviz's `dot` program, which was not found on "
                                   "PATH (install graphviz, e.g. `apt-get install graphviz`); SVG output needs "
                                   "nothing: save to a .svg path instead")
            data = subprocess.run([exe, f"-T{fmt}"], input=self.to_dot().encode(), capture_output=True,
                                  check=True).stdout
        else:
            raise ValueError(f"unknown graph format {fmt!r}: use svg, dot, png or pdf")
        with open(path, "wb") as f:
            f.write(data)
        return path

    render = save


def _esc(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _param_names(params):
    if params is None:
        return {}, []
    items = list(params.items()) if isinstance(params, dict) else list(params)
    names, frozen = {}, []
    for name, p in items:
        names[id(p)] = name
        if not p.requires_grad:
            frozen.append((name, tuple(p.shape), p.dtype.name, p.numel()))
    return names, frozen


def _leaf_lines(var, names):
    name = names.get(id(var), "leaf")
    return [name, f"{list(var.shape)} {var.dtype.name}"]


def _node_lines(node):
    lines = [node.name()]
    b = saved_bytes(node)
    if b:
        lines.append(f"saved {_human(b)}")
    return lines


def graph(output, params=None, group_by_module=False, show_saved=True, title=None):
    """Build a drawable graph of everything ``output`` (a tensor or list of tensors) depends on.

    Args:
        output: the tensor(s) whose ``grad_fn`` graph is drawn.
        params: ``model.named_parameters()`` (or a dict) to label leaves with their names and to list
            frozen parameters.
        group_by_module: collapse the nodes of each submodule into one box (needs ``params``);
            ``True`` groups by the first two name components (``layer1.0``), an int sets the depth.
        show_saved: print each node's saved-tensor bytes.
    """
    from .._tensor import Tensor
    outputs = [output] if isinstance(output, Tensor) else list(output)
    names, frozen = _param_names(params)
    nodes, edges = walk(outputs)
    group_of = {}
    if group_by_module:
        if not names:
            raise ValueError("group_by_module=True needs params=model.named_parameters() to know the modules")
        depth = 2 if group_by_module is True else int(group_by_module)
        group_of = _assign_groups(nodes, names, depth)
    boxes, box_of = [], {}
    group_boxes = {}
    for node in nodes:
        g = group_of.get(node)
        if g is not None:
            box = group_boxes.get(g)
            if box is None:
                box = group_boxes[g] = _Box(len(boxes), [g], GROUP)
                box.count = 0
                boxes.append(box)
            box.count += 1
            box_of[node] = box
            continue
        if type(node) is AccumulateGrad:
            var = node.variable
            box = _Box(len(boxes), _leaf_lines(var, names), TRAINABLE)
        else:
            box = _Box(len(boxes), _node_lines(node) if show_saved else [node.name()], OP)
        boxes.append(box)
        box_of[node] = box
    for g, box in group_boxes.items():
        members = [n for n in nodes if group_of.get(n) == g]
        n_params = sum(n.variable.numel() for n in members if type(n) is AccumulateGrad)
        saved = sum(saved_bytes(n) for n in members)
        box.lines = [g, f"{box.count} nodes, {n_params:,} trainable params"] + ([f"saved {_human(saved)}"] if saved else [])
    box_edges = []
    seen = set()
    for src, dst in edges:
        a, b = box_of[src].id, box_of[dst].id
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            box_edges.append((a, b))
    for t in outputs:
        out_box = _Box(len(boxes), ["output", f"{list(t.shape)} {t.dtype.name}"], OUTPUT)
        boxes.append(out_box)
        fn = t.grad_fn
        if fn is not None and fn in box_of:
            box_edges.append((box_of[fn].id, out_box.id))
    return Graph(nodes, edges, boxes, box_edges, frozen, title)


def _assign_groups(nodes, names, depth):
    """Module of each node: from the parameters it consumes directly; a node without parameters
    joins the module of its most recently created input (how a ReLU or a residual add belongs to
    the block that computed its last input)."""
    def module_of(param_name):
        parts = param_name.split(".")[:-1]
        return ".".join(parts[:depth]) if parts else None

    group = {}
    for node in sorted(nodes, key=lambda n: n._seq):  # inputs before consumers
        if type(node) is AccumulateGrad:
            name = names.get(id(node.variable))
            if name is not None and module_of(name):
                group[node] = module_of(name)
            continue
        own = [group.get(n) for n, _ in node.next_functions if n is not None and type(n) is AccumulateGrad]
        own = [g for g in own if g]
        if own:
            group[node] = own[0]
            continue
        inputs = [n for n, _ in node.next_functions if n is not None and n in group]
        if inputs:
            group[node] = group[max(inputs, key=lambda n: n._seq)]
    return group
