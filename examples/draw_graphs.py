"""Draw the autograd DAG twice: the seed's Q = 3*a**3 - b**2, and a ResNet-18 whose backbone is
frozen and whose new fc head is trained.

    python examples/draw_graphs.py [out_dir]

Writes <name>.svg (pure Python) and, when Graphviz's `dot` is installed, <name>.png.
"""
import os
import shutil
import sys

import ndgrad as torch
from ndgrad import nn
from ndgrad.vision.models import resnet18


def save(graph, out_dir, name):
    paths = [graph.save(os.path.join(out_dir, name + ".svg"))]
    if shutil.which("dot"):
        paths.append(graph.save(os.path.join(out_dir, name + ".png")))
    for p in paths:
        print("wrote", p)


def seed_graph(out_dir):
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    g = torch.viz.graph(Q, params={"a": a, "b": b}, title="Q = 3*a**3 - b**2  (leaves on top, root at the bottom)")
    save(g, out_dir, "seed_graph")


def resnet_graphs(out_dir):
    torch.manual_seed(0)
    model = resnet18()
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(512, 10)
    x = torch.randn(2, 3, 64, 64)
    loss = nn.functional.cross_entropy(model(x), torch.tensor([3, 7]))
    g = torch.viz.graph(loss, params=model.named_parameters(),
                        title="ResNet-18, frozen backbone + new fc head: only the head is in the DAG")
    save(g, out_dir, "resnet18_frozen")
    # the same network fully trainable, one box per block
    model.requires_grad_(True)
    loss = nn.functional.cross_entropy(model(x), torch.tensor([3, 7]))
    g = torch.viz.graph(loss, params=model.named_parameters(), group_by_module=True,
                        title="ResNet-18, every parameter trainable, grouped by module")
    save(g, out_dir, "resnet18_grouped")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "graphs"
    os.makedirs(out, exist_ok=True)
    seed_graph(out)
    resnet_graphs(out)
