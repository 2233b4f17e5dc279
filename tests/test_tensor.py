"""The Tensor object: metadata, conversion, Python protocols, autograd flags and their errors,
each compared with torch on the same data."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ndgrad


def run_both(fn):
    """Run ``fn(lib)`` with ndgrad and torch; return both results, or both exceptions."""
    out = []
    for lib in (ndgrad, torch):
        try:
            out.append(("ok", fn(lib)))
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            out.append(("err", e))
    return out


def same_error(fn, prefix_only=False):
    """``fn(lib)`` raises the same exception type and message in ndgrad and torch."""
    (kn, n), (kt, t) = run_both(fn)
    assert kt == "err", f"torch did not raise: {t!r}"
    assert kn == "err", f"ndgrad did not raise (torch: {type(t).__name__}: {t}); got {n!r}"
    assert type(n) is type(t) or isinstance(n, type(t)), f"{type(n).__name__}: {n} vs torch {type(t).__name__}: {t}"
    if prefix_only:
        assert str(t).startswith(str(n)) or str(n).startswith(str(t)), f"{n}\nvs torch\n{t}"
    else:
        assert str(n) == str(t), f"{n}\nvs torch\n{t}"


def same_value(fn):
    (kn, n), (kt, t) = run_both(fn)
    if kt == "err":
        raise t
    if kn == "err":
        raise n
    if isinstance(t, torch.Tensor):
        assert isinstance(n, ndgrad.Tensor)
        assert str(n.dtype) == str(t.dtype) and tuple(n.shape) == tuple(t.shape)
        np.testing.assert_array_equal(n.detach().numpy(), t.detach().numpy())
    else:
        assert repr(n) == repr(t), f"{n!r} vs torch {t!r}"


# -- metadata ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    lambda lib: lib.zeros(2, 3).shape,
    lambda lib: lib.zeros(2, 3).size(),
    lambda lib: lib.zeros(2, 3).size(1),
    lambda lib: lib.zeros(2, 3).size(-1),
    lambda lib: lib.zeros(2, 3).size(dim=0),
    lambda lib: lib.zeros(2, 3).dim(),
    lambda lib: lib.zeros(2, 3).ndim,
    lambda lib: lib.zeros(2, 3).ndimension(),
    lambda lib: lib.zeros(2, 3).numel(),
    lambda lib: lib.zeros(2, 3).nelement(),
    lambda lib: lib.numel(lib.zeros(4, 5)),
    lambda lib: lib.tensor(3.).shape,
    lambda lib: lib.tensor(3.).dim(),
    lambda lib: lib.zeros(2, 3).dtype,
    lambda lib: lib.zeros(2, dtype=lib.int32).dtype,
    lambda lib: lib.zeros(2, 3).device,
    lambda lib: str(lib.zeros(2, 3).device),
    lambda lib: lib.zeros(2, 3).is_cuda,
    lambda lib: lib.zeros(2, 3).layout,
    lambda lib: lib.zeros(2, 3).element_size(),
    lambda lib: lib.zeros(2, dtype=lib.float64).element_size(),
    lambda lib: lib.zeros(2, 3).is_floating_point(),
    lambda lib: lib.zeros(2, dtype=lib.int64).is_floating_point(),
    lambda lib: lib.zeros(2, dtype=lib.complex64).is_complex(),
    lambda lib: lib.zeros(2, 3).stride(),
    lambda lib: lib.zeros(2, 3).stride(0),
    lambda lib: lib.zeros(2, 3).stride(-1),
    lambda lib: lib.zeros(2, 3).t().stride(),
    lambda lib: lib.tensor(2.).stride(),
    lambda lib: lib.zeros(2, 3).is_contiguous(),
    lambda lib: lib.zeros(2, 3).t().is_contiguous(),
    lambda lib: lib.zeros(2, 3).t().contiguous().is_contiguous(),
    lambda lib: lib.zeros(2, 3).t().contiguous().stride(),
    lambda lib: lib.zeros(2, 3).t().clone().stride(),
    lambda lib: lib.zeros(2, 3, 4).permute(2, 0, 1).clone().stride(),
    lambda lib: lib.zeros(2, 3, 4).permute(2, 0, 1).contiguous().stride(),
    lambda lib: lib.zeros(2, 3).get_device(),
    lambda lib: lib.zeros(2, 3).type(),
    lambda lib: lib.zeros(2, dtype=lib.bool).type(),
    lambda lib: lib.zeros(2, dtype=lib.int32).type(),
    lambda lib: lib.zeros(2).type(lib.float64),
    lambda lib: lib.zeros(2).type("torch.LongTensor"),
    lambda lib: lib.tensor([1., 2.]).is_leaf,
    lambda lib: lib.tensor([1., 2.]).requires_grad,
    lambda lib: lib.tensor([1., 2.]).grad_fn,
    lambda lib: lib.tensor([1., 2.]).grad,
    lambda lib: lib.tensor([1., 2.])._version,
    lambda lib: lib.zeros(2, 3).T.shape,
    lambda lib: lib.zeros(2, 3).mT.shape,
    lambda lib: lib.zeros(4, 2, 3).mT.shape,
    lambda lib: lib.tensor([1., 2.]).T,
    pytest.param(lambda lib: lib.tensor(1.).mT, marks=pytest.mark.filterwarnings("ignore:Tensor.mT")),
])
def test_metadata_matches_torch(expr):
    same_value(expr)


def test_device():
    d = ndgrad.device("cpu")
    assert d == ndgrad.zeros(1).device and repr(d) == "device(type='cpu')" and str(d) == "cpu"
    assert (ndgrad.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")  # False in both
    assert hash(ndgrad.device("cpu")) == hash(ndgrad.zeros(1).device)
    assert ndgrad.zeros(2, device="cpu").device.type == "cpu"
    assert ndgrad.zeros(1).cpu().device == d
    with pytest.raises(RuntimeError, match="CPU only"):
        ndgrad.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        ndgrad.zeros(2).to("cuda")


@pytest.mark.parametrize("expr", [
    lambda lib: lib.zeros(2, 3).size(5),
    lambda lib: lib.zeros(2, 3).size(-3),
    lambda lib: lib.tensor(3.).size(0),
    lambda lib: lib.tensor(3.).size(-1),
    lambda lib: lib.zeros(2, 3).stride(2),
    lambda lib: lib.tensor(3.).stride(0),
    lambda lib: lib.tensor([1., 2.]).mT,
])
def test_metadata_errors(expr):
    same_error(expr)


# -- Size ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    lambda lib: lib.Size([2, 3]),
    lambda lib: lib.Size((2, 3)),
    lambda lib: lib.Size(),
    lambda lib: repr(lib.Size([2, 3])),
    lambda lib: str(lib.Size([])),
    lambda lib: lib.Size([2, 3])[0],
    lambda lib: lib.Size([2, 3])[-1],
    lambda lib: lib.Size([2, 3, 4])[1:],
    lambda lib: lib.Size([2, 3]) + (4,),
    lambda lib: (4,) + lib.Size([2, 3]),
    lambda lib: lib.Size([2, 3]) + lib.Size([5]),
    lambda lib: lib.Size([2, 3]) * 2,
    lambda lib: 2 * lib.Size([2, 3]),
    lambda lib: lib.Size([2, 3]).numel(),
    lambda lib: lib.Size([]).numel(),
    lambda lib: lib.Size([2, 3]) == (2, 3),
    lambda lib: lib.Size([2, 3]) == [2, 3],
    lambda lib: lib.Size([np.int64(2), 3]),
    lambda lib: lib.Size([lib.tensor(2), 3]),
    lambda lib: isinstance(lib.zeros(2, 3).shape, tuple),
    lambda lib: type(lib.zeros(2, 3).shape[1:]).__name__,
    lambda lib: list(lib.zeros(2, 3).shape),
    lambda lib: tuple(lib.zeros(2, 3).shape),
    lambda lib: len(lib.zeros(2, 3, 4).shape),
])
def test_size(expr):
    same_value(expr)


@pytest.mark.parametrize("expr", [
    lambda lib: lib.Size([2.5]),
    lambda lib: lib.Size([2, "a"]),
    lambda lib: lib.Size([2, 3]) + [4],
])
def test_size_errors(expr):
    same_error(expr)


def test_size_pickles_and_copies():
    s = ndgrad.Size([2, 3])
    assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is ndgrad.Size
    assert copy.deepcopy(s) == s


# -- conversion --------------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    lambda lib: lib.tensor([3.5]).item(),
    lambda lib: lib.tensor([[7]]).item(),
    lambda lib: lib.tensor(True).item(),
    lambda lib: lib.tensor(2.5, dtype=lib.float16).item(),
    lambda lib: lib.tensor([0.1]).item(),
    lambda lib: lib.tensor([1., 2.]).tolist(),
    lambda lib: lib.tensor([[1, 2], [3, 4]]).tolist(),
    lambda lib: lib.tensor(1.5).tolist(),
    lambda lib: lib.tensor([True, False]).tolist(),
    lambda lib: lib.zeros(0, 2).tolist(),
    lambda lib: float(lib.tensor([2.5])),
    lambda lib: float(lib.tensor(True)),
    lambda lib: int(lib.tensor([[2.7]])),
    lambda lib: int(lib.tensor(-2.7)),
    lambda lib: complex(lib.tensor(2.)),
    lambda lib: bool(lib.tensor([0.])),
    lambda lib: bool(lib.tensor(3)),
    lambda lib: [10, 20, 30][lib.tensor(1)],
    lambda lib: [10, 20, 30][lib.tensor([2])],
    lambda lib: [10, 20, 30][lib.tensor(True)],
    lambda lib: range(5)[lib.tensor(3, dtype=lib.int32)],
    lambda lib: len(lib.zeros(4, 2)),
    lambda lib: len(lib.zeros(0)),
    lambda lib: lib.tensor([1., 2.]).numpy().dtype,
    lambda lib: lib.tensor([1, 2]).numpy().tolist(),
    lambda lib: lib.tensor([1., 2.], requires_grad=True).numpy(force=True).tolist(),
    lambda lib: np.asarray(lib.tensor([1., 2.])).dtype,
    lambda lib: np.asarray(lib.tensor([1., 2.]), dtype=np.float64).dtype,
    lambda lib: np.array(lib.tensor([[1, 2]])).shape,
    lambda lib: np.sum(lib.tensor([1., 2.]).numpy()),
    lambda lib: f"{lib.tensor(2.5):.3f}",
    lambda lib: f"{lib.tensor(7):03d}",
    lambda lib: "{}".format(lib.tensor([1.5])),
])
def test_conversion(expr):
    same_value(expr)


@pytest.mark.parametrize("expr", [
    lambda lib: lib.tensor([1., 2.]).item(),
    lambda lib: lib.tensor([]).item(),
    lambda lib: float(lib.tensor([1., 2.])),
    lambda lib: int(lib.tensor([1., 2.])),
    lambda lib: float(lib.tensor([])),
    lambda lib: complex(lib.tensor([5., 6.])),
    lambda lib: bool(lib.tensor([1., 2.])),
    lambda lib: bool(lib.tensor([])),
    lambda lib: bool(lib.tensor([[1, 2]])),
    lambda lib: [1, 2, 3][lib.tensor(1.)],
    lambda lib: [1, 2, 3][lib.tensor([0, 1])],
    lambda lib: len(lib.tensor(1.)),
    lambda lib: iter(lib.tensor(1.)),
    lambda lib: lib.tensor([1., 2.], requires_grad=True).numpy(),
    lambda lib: np.asarray(lib.tensor([1., 2.], requires_grad=True)),
    lambda lib: format(lib.tensor([1., 2.]), ".2f"),
    lambda lib: lib.zeros(2).type("torch.NoSuchTensor"),
])
def test_conversion_errors(expr):
    same_error(expr)


def test_numpy_shares_memory_and_from_numpy():
    t = ndgrad.zeros(3)
    a = t.numpy()
    a[0] = 5.
    assert t.tolist() == [5., 0., 0.]
    t.add_(1.)
    assert a.tolist() == [6., 1., 1.]
    assert t.detach().numpy() is not None and np.shares_memory(t.detach().numpy(), a)


def test_iteration_yields_rows_like_torch():
    for lib in (ndgrad, torch):
        rows = list(lib.tensor([[1., 2.], [3., 4.]]))
        assert [r.tolist() for r in rows] == [[1., 2.], [3., 4.]]
    n = list(ndgrad.tensor([1., 2.], requires_grad=True))
    t = list(torch.tensor([1., 2.], requires_grad=True))
    assert [repr(x) for x in n] == [repr(x) for x in t]  # grad_fn=<UnbindBackward0>
    a, b = ndgrad.tensor([3., 4.], requires_grad=True)
    (a * b).backward()


# -- dtype conversion, clone, copy ------------------------------------------------------------------
CASTS = ["float", "double", "half", "long", "int", "short", "char", "byte", "bool"]


@pytest.mark.parametrize("cast", CASTS)
@pytest.mark.parametrize("data", [[1.7, -2.5, 0.0], [1, 0, 3], [True, False]])
def test_casts(cast, data):
    same_value(lambda lib: getattr(lib.tensor(data), cast)())


@pytest.mark.parametrize("expr", [
    lambda lib: lib.tensor([1, 2]).to(lib.float64),
    lambda lib: lib.tensor([1., 2.]).to("cpu", lib.float64),
    lambda lib: lib.tensor([1., 2.]).to(lib.zeros(1, dtype=lib.int32)),
    lambda lib: lib.tensor([1., 2.]).to(dtype=lib.float16),
    lambda lib: lib.tensor([1., 2.]).to(device="cpu"),
    lambda lib: lib.tensor([1., 2.]).type_as(lib.tensor([1])),
    lambda lib: lib.tensor([1., 2.], requires_grad=True).long().requires_grad,
    lambda lib: lib.tensor([1., 2.], requires_grad=True).double().grad_fn.name(),
    lambda lib: lib.tensor([1., 2.], requires_grad=True).float().is_leaf,
    lambda lib: lib.tensor([1., 2.], requires_grad=True).to(lib.float32, copy=True).grad_fn.name(),
    lambda lib: lib.tensor([1., 2.], requires_grad=True).clone().grad_fn.name(),
    lambda lib: lib.zeros(2, 3, requires_grad=True).t().contiguous().grad_fn.name(),
    lambda lib: lib.zeros(2, 3, requires_grad=True).contiguous().grad_fn,
])
def test_to_and_clone(expr):
    same_value(expr)


def test_to_returns_self_when_nothing_changes():
    t = ndgrad.tensor([1., 2.])
    assert t.to(ndgrad.float32) is t and t.float() is t and t.to("cpu") is t and t.contiguous() is t
    assert t.to(ndgrad.float32, copy=True) is not t
    c = t.clone()
    c[0] = 9.
    assert t.tolist() == [1., 2.]


def test_cast_backward_gives_grad_in_source_dtype():
    for lib in (ndgrad, torch):
        a = lib.tensor([1., 2.], requires_grad=True)
        (a.double() * 3).sum().backward()
        assert str(a.grad.dtype).endswith("float32") and a.grad.tolist() == [3., 3.]


@pytest.mark.parametrize("expr", [
    lambda lib: lib.zeros(3).fill_(2.5),
    lambda lib: lib.zeros(3, dtype=lib.int64).fill_(2.7),
    lambda lib: lib.zeros(3).fill_(lib.tensor(4.)),
    lambda lib: lib.ones(2, 3).zero_(),
    lambda lib: lib.zeros(3).copy_(lib.tensor([1, 2, 3])),
    lambda lib: lib.zeros(3, dtype=lib.int32).copy_(lib.tensor([1.7, 2, 3])),
    lambda lib: lib.zeros(2, 3).copy_(lib.tensor([1., 2, 3])),
    lambda lib: lib.zeros(2, 3).copy_(lib.tensor(5.)),
    lambda lib: lib.zeros(3).copy_(lib.tensor([True, False, True])),
])
def test_fill_zero_copy(expr):
    same_value(expr)


@pytest.mark.parametrize("expr", [
    lambda lib: lib.zeros(3).copy_(lib.ones(2)),
    lambda lib: lib.zeros(3).fill_(lib.ones(2)),
    lambda lib: lib.zeros(3, requires_grad=True).zero_(),
    lambda lib: lib.zeros(3, requires_grad=True).fill_(2.),
    lambda lib: lib.zeros(3, requires_grad=True).copy_(lib.ones(3)),
])
def test_fill_zero_copy_errors(expr):
    same_error(expr)


def test_inplace_versions_and_grad_fns():
    for lib in (ndgrad, torch):
        f = lib.zeros(3)
        assert [f._version, f.fill_(1)._version, f.zero_()._version, f.copy_(lib.ones(3))._version] == [0, 1, 2, 3]
    names = []
    for lib in (ndgrad, torch):
        y = lib.tensor([1., 2., 3.], requires_grad=True).clone()
        got = [y.fill_(1).grad_fn, y.zero_().grad_fn, y.fill_(lib.tensor(2.)).grad_fn]
        names.append([type(g).__name__ for g in got] + [type(y.copy_(lib.ones(3)).grad_fn).__name__])
    assert names[0] == names[1]  # FillBackward2, ZeroBackward0, FillBackward3, CopyBackwards


def test_copy_and_fill_gradients_match_torch():
    grads = []
    for lib in (ndgrad, torch):
        a = lib.tensor([1., 2., 3.], requires_grad=True)
        src = lib.tensor([4., 5., 6.], requires_grad=True)
        v = lib.tensor(2., requires_grad=True)
        y = a * 2
        y.copy_(src * 3)
        z = a * 1
        z.fill_(v)
        (y.sum() + (z * lib.tensor([1., 2., 3.])).sum()).backward()
        grads.append((a.grad.tolist(), src.grad.tolist(), v.grad.tolist()))
    assert grads[0] == grads[1]


# -- autograd flags on the tensor ---------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.tensor([1, 2]).requires_grad_(),
    lambda lib: lib.tensor([True]).requires_grad_(),
    lambda lib: setattr(lib.tensor([1]), "requires_grad", True),
    lambda lib: lib.zeros(2, dtype=lib.long, requires_grad=True),
    lambda lib: setattr(lib.zeros(2, requires_grad=True) * 2, "requires_grad", False),
    lambda lib: setattr(lib.zeros(2, requires_grad=True) * 2, "requires_grad", True),
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).requires_grad_(False),
    lambda lib: lib.zeros(3).register_hook(lambda g: g),
    lambda lib: lib.zeros(3).retain_grad(),
    lambda lib: lib.zeros(3).view(3).detach_(),
    lambda lib: lib.zeros(3, requires_grad=True).view(3).detach_(),
])
def test_autograd_flag_errors(expr):
    same_error(expr)


@pytest.mark.parametrize("expr", [
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).requires_grad_(True).requires_grad,
    lambda lib: lib.zeros(2, dtype=lib.int64).requires_grad_(False).requires_grad,
    lambda lib: lib.zeros(2, dtype=lib.float64).requires_grad_().requires_grad,
    lambda lib: lib.zeros(2, dtype=lib.complex64).requires_grad_().requires_grad,
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).is_leaf,
    lambda lib: lib.zeros(2).retains_grad,
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).retains_grad,
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).detach().requires_grad,
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).detach().is_leaf,
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).detach_().grad_fn,
    lambda lib: lib.zeros(2, requires_grad=True).detach_().requires_grad,
    lambda lib: lib.zeros(3, requires_grad=True).data.requires_grad,
    lambda lib: lib.zeros(3, requires_grad=True).data.is_leaf,
    lambda lib: (lib.zeros(2, requires_grad=True) * 2).output_nr,
])
def test_autograd_flags(expr):
    same_value(expr)


def test_requires_grad_setter():
    for lib in (ndgrad, torch):
        a = lib.zeros(2)
        a.requires_grad = True
        assert a.requires_grad and a.is_leaf
        a.requires_grad = False
        assert not a.requires_grad
        assert a.requires_grad_() is a


def test_retain_grad_on_leaf_and_flag():
    for lib in (ndgrad, torch):
        a = lib.zeros(2, requires_grad=True)
        a.retain_grad()  # a no-op on a leaf
        b = a * 2
        b.retain_grad()
        assert (a.retains_grad, b.retains_grad) == (False, True)


@pytest.mark.parametrize("value", [
    lambda lib: 3,
    lambda lib: [1., 2.],
    lambda lib: lib.zeros(3),
    lambda lib: lib.zeros(2, 2),
    lambda lib: lib.zeros(2, dtype=lib.float64),
    lambda lib: lib.zeros(2, dtype=lib.long),
    lambda lib: lib.zeros(2, dtype=lib.float16),
])
def test_grad_setter_errors(value):
    def assign(lib):
        a = lib.zeros(2, requires_grad=True)
        a.grad = value(lib)
    same_error(assign, prefix_only=True)


def test_grad_setter_accepts_and_clears():
    for lib in (ndgrad, torch):
        a = lib.zeros(2, requires_grad=True)
        a.grad = lib.ones(2)
        assert a.grad.tolist() == [1., 1.]
        a.grad = None
        assert a.grad is None
        a.grad = lib.ones(2)
        del a.grad
        assert a.grad is None


def test_detach_shares_data_and_version_data_does_not():
    for lib in (ndgrad, torch):
        a = lib.zeros(3, requires_grad=True)
        d = a.detach()
        d.add_(1)
        assert a.tolist() == [1., 1., 1.] and a._version == 1 and d._version == 1
        e = a.data
        e.add_(1)
        assert a.tolist() == [2., 2., 2.] and a._version == 1 and e._version == 1 and not e.requires_grad


def test_data_setter():
    for lib in (ndgrad, torch):
        a = lib.zeros(3, requires_grad=True)
        a.data = lib.ones(4, dtype=lib.float64)
        assert a.requires_grad and a.dtype == lib.float64 and a.tolist() == [1.] * 4
        with pytest.raises(TypeError):
            a.data = [1.]


def test_modifying_data_is_invisible_to_autograd():
    res = []
    for lib in (ndgrad, torch):
        a = lib.tensor([1., 2.], requires_grad=True)
        b = a * a
        a.data.mul_(10)  # no version bump: backward uses the modified values silently, as in torch
        b.sum().backward()
        res.append(a.grad.tolist())
    assert res[0] == res[1] == [20., 40.]


def test_deepcopy_and_pickle():
    a = ndgrad.tensor([1., 2.], requires_grad=True)
    (a * 2).sum().backward()
    b = copy.deepcopy(a)
    assert b.requires_grad and b.tolist() == [1., 2.] and b.grad.tolist() == [2., 2.]
    assert not np.shares_memory(a.numpy(force=True), b.numpy(force=True))
    c = pickle.loads(pickle.dumps(a))
    assert c.requires_grad and c.tolist() == [1., 2.]
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(a * 2)


def test_hash_is_identity_and_tensor_in_containers():
    a, b = ndgrad.tensor([1.]), ndgrad.tensor([1.])
    assert len({a, b}) == 2 and a in {a: 1}


def test_legacy_constructor():
    assert ndgrad.Tensor([1, 2]).dtype == ndgrad.float32
    assert tuple(ndgrad.Tensor(2, 3).shape) == (2, 3)
    assert tuple(ndgrad.Tensor().shape) == (0,)
    assert ndgrad.is_tensor(ndgrad.zeros(1)) and not ndgrad.is_tensor([1])
