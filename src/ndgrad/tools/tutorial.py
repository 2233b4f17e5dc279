"""The seed tutorial ("A Gentle Introduction to torch.autograd") run on ndgrad, with its results.

1. Differentiation in autograd: Q = 3a^3 - b^2, Q.backward(gradient=...), check a.grad, b.grad.
2. The computational graph: walk Q.grad_fn.next_functions down to the leaves.
3. Exclusion from the DAG: freeze a network, replace its head, and see that only the head trains.
"""
import ndgrad as torch


def _graph_lines(fn, depth=0, seen=None):
    seen = set() if seen is None else seen
    if fn is None:
        return []
    lines = ["  " * depth + fn.name()]
    if id(fn) in seen:
        return lines
    seen.add(id(fn))
    if hasattr(fn, "variable"):
        v = fn.variable
        lines[-1] += f"  (leaf: shape {list(v.shape)}, requires_grad={v.requires_grad})"
    for nxt, _ in fn.next_functions:
        lines += _graph_lines(nxt, depth + 1, seen)
    return lines


def differentiation():
    print("1. Differentiation in autograd")
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    print("   Q =", Q)
    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad)
    print("   9*a**2 == a.grad ->", 9 * a ** 2 == a.grad)
    print("   -2*b == b.grad  ->", -2 * b == b.grad)
    return Q


def computational_graph(Q):
    print("\n2. The computational graph (root Q.grad_fn down to the leaves a and b)")
    for line in _graph_lines(Q.grad_fn):
        print("   " + line)


def _make_net():
    from ndgrad import nn

    class Net(nn.Module):
        """A small stand-in for a pretrained backbone with an ``fc`` head, shaped like ResNet's."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU())
            self.fc = nn.Linear(512, 1000)

        def forward(self, x):
            return self.fc(self.features(x))
    return Net()


def exclusion_from_dag():
    print("\n3. Exclusion from the DAG: freeze a network, train only a new head")
    from ndgrad import nn, optim
    torch.manual_seed(0)
    model = _make_net()
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(512, 10)  # the new head requires grad by default
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    print(f"   trainable parameters: {trainable:,}  frozen: {frozen:,}")
    optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    x = torch.randn(16, 64)
    target = torch.randint(0, 10, (16,))
    for step in range(5):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), target)
        loss.backward()
        optimizer.step()
        print(f"   step {step}: loss {loss.item():.4f}")
    with_grad = [n for n, p in model.named_parameters() if p.grad is not None]
    print(f"   parameters that received a gradient: {with_grad}")


def main():
    Q = differentiation()
    computational_graph(Q)
    exclusion_from_dag()
    return 0
