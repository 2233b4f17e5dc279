"""The seed example from the PyTorch autograd tutorial, verbatim except for the import line."""
import subprocess
import sys
import textwrap

SEED_EXAMPLE = textwrap.dedent("""\
    import ndgrad as torch

    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3*a**3 - b**2
    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad)
    print(9*a**2 == a.grad)
    print(-2*b == b.grad)
""")


def test_seed_example_prints_true_twice():
    result = subprocess.run([sys.executable, "-c", SEED_EXAMPLE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tensor([True, True])\ntensor([True, True])\n"


def test_seed_example_in_process(capsys):
    exec(compile(SEED_EXAMPLE, "<seed example>", "exec"), {})
    assert capsys.readouterr().out.splitlines() == ["tensor([True, True])", "tensor([True, True])"]
