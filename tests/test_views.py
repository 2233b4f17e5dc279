"""Views against torch: which ops return views, that views share data and the version counter with
their base, that writes through a view reach the base (and its gradient), and torch's errors for
in-place writes that autograd cannot handle."""
import numpy as np
import pytest
import torch

import ndgrad
from helpers import check_against_torch

X = np.random.default_rng(0).standard_normal((3, 4))


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else ndgrad

VIEW_OPS = {
    "view": lambda x: x.view(2, 6),
    "view_as": lambda x: x.view_as(x.reshape(12)),
    "reshape_viewable": lambda x: x.reshape(4, 3),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "squeeze": lambda x: x[None].squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "transpose": lambda x: x.transpose(0, 1),
    "swapaxes": lambda x: x.swapaxes(1, 0),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "permute": lambda x: x.permute(1, 0),
    "movedim": lambda x: x.movedim(0, 1),
    "expand": lambda x: x[:1].expand(3, 4),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(0, 1),
    "getitem_int": lambda x: x[1],
    "getitem_slice": lambda x: x[:, 1:3],
    "getitem_step": lambda x: x[::2, ::3],
    "getitem_none": lambda x: x[None, 1],
    "getitem_ellipsis": lambda x: x[...],
    "diagonal": lambda x: x.diagonal(1),
    "split": lambda x: x.split(2)[1],
    "split_sizes": lambda x: x.split([1, 3], 1)[1],
    "chunk": lambda x: x.chunk(2, 1)[0],
    "unbind": lambda x: x.unbind(1)[2],
    "tensor_split": lambda x: x.tensor_split(2)[1],
    "view_of_view": lambda x: x[1:].t().unsqueeze(0)[..., ::2],
}


@pytest.mark.parametrize("name", list(VIEW_OPS))
def test_view_shares_storage_and_version_with_base(name):
    fn = VIEW_OPS[name]
    x = ndgrad.tensor(X.copy())
    v = fn(x)
    t = fn(torch.tensor(X.copy()))
    assert t._base is not None  # the table lists views only
    assert v._base is x, f"{name}: _base is not the root tensor"
    np.testing.assert_array_equal(v.numpy(), t.numpy())
    before = v._version
    x.add_(1.0)  # the base changes: the view sees the new values and the new version
    assert v._version == before + 1
    np.testing.assert_array_equal(v.numpy(), t.numpy() + 1.0)
    if name != "expand":  # writing through an expanded view hits one element several times
        v.mul_(0.0)
        assert x._version == before + 2
        torch_x = torch.tensor(X.copy()) + 1.0
        fn(torch_x).mul_(0.0)
        np.testing.assert_array_equal(x.numpy(), torch_x.numpy())


COPY_OPS = {
    "reshape_copy": lambda x: x.t().reshape(-1),
    "flatten_copy": lambda x: x.t().flatten(),
    "getitem_list": lambda x: x[[0, 1]],
    "getitem_mask": lambda x: x[x > 0],
    "getitem_true": lambda x: x[True],
    "flip": lambda x: x.flip(0),
    "roll": lambda x: x.roll(1),
    "repeat": lambda x: x.repeat(2, 1),
    "cat": lambda x: _lib(x).cat([x, x]),
    "diag": lambda x: _lib(x).diag(x),
    "tril": lambda x: x.tril(),
    "index_select": lambda x: x.index_select(0, _lib(x).tensor([0])),
}


@pytest.mark.parametrize("name", list(COPY_OPS))
def test_copying_ops_do_not_alias(name):
    fn = COPY_OPS[name]
    x = ndgrad.tensor(X.copy())
    out = fn(x)
    assert fn(torch.tensor(X.copy()))._base is None
    assert out._base is None
    snapshot = out.numpy().copy()
    x.add_(1.0)
    np.testing.assert_array_equal(out.numpy(), snapshot)
    assert out._version == 0


@pytest.mark.parametrize("name", list(VIEW_OPS))
def test_view_gradients_match_torch(name):
    fn = VIEW_OPS[name]
    check_against_torch(lambda lib, x: fn(x * 1.0) * 2.0, X)


def test_clone_then_inplace_through_a_view():
    # the example from the docs: the gradient of row elements multiplied in place through a view
    def fn(lib, x):
        y = x.clone()
        y[:, 0].add_(10.0)
        y[1:, 2:].mul_(lib.tensor(3.0, dtype=lib.float64))
        y[0, 1:3].sub_(x[:1, :2].squeeze(0) * 3)
        return y * y
    n_out, t_out = check_against_torch(fn, X)
    assert type(n_out.grad_fn.next_functions[0][0]).__name__ == "CopySlices"


def test_clone_then_mul_through_a_view():
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        y = x.clone()
        y[:, 0].mul_(10)
        (y * y).sum().backward()
        if lib is ndgrad:
            got = x.grad.numpy()
        else:
            np.testing.assert_allclose(got, x.grad.numpy())


def test_setitem_with_a_value_that_requires_grad():
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        v = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y[1, 1:] = v
        y[0, [0, 0, 3]] = v * v
        (y ** 2).sum().backward()
        if lib is ndgrad:
            got = (x.grad.numpy().copy(), v.grad.numpy().copy(), type(y.grad_fn).__name__)
        else:
            np.testing.assert_allclose(got[0], x.grad.numpy())
            np.testing.assert_allclose(got[1], v.grad.numpy())
            assert got[2] == type(y.grad_fn).__name__


def test_setitem_on_a_view_refreshes_its_history():
    def fn(lib, x, w):
        y = x * 1.0
        v = y[1]
        v[2] = w[0]              # written through a view of v: v's own history must see it
        v[[0, 0]] = w[1:]
        return v * 3.0, y * 2.0
    check_against_torch(fn, X, np.array([5.0, -6.0, 7.0]))


def test_views_of_views_write_through_to_the_root():
    def fn(lib, x, w):
        y = x * 1.0
        v = y.t()[1:]          # a view of a view of y
        v[0, ::2] = w[:2]      # in place through it
        v.diagonal().add_(1.0)
        return y * lib.arange(12.0, dtype=lib.float64).reshape(3, 4)
    n_out, t_out = check_against_torch(fn, X, np.array([5.0, -6.0, 7.0]))


def test_inplace_on_a_view_of_a_leaf_is_refused():
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        for write in (lambda: x[0].mul_(2), lambda: x[:, 1].zero_(), lambda: x.t().add_(1),
                      lambda: x.__setitem__(0, 1.0), lambda: x.diagonal().fill_(0)):
            with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used "
                                                   "in an in-place operation."):
                write()
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            x[[0, 1]] = 0.0
        with lib.no_grad():  # allowed without grad mode, and seen by the leaf
            x[0, 0] = 5.0
        assert x[0, 0].item() == 5.0


@pytest.mark.parametrize("make", [lambda x: x.split(2)[0], lambda x: x.chunk(2, 1)[1], lambda x: x.unbind()[1],
                                  lambda x: x.split([1, 2])[1], lambda x: x.unbind()[0][1:], lambda x: list(x)[0]])
def test_inplace_on_multi_output_views_is_refused(make):
    msgs = []
    for lib in (ndgrad, torch):
        y = lib.tensor(X.copy(), requires_grad=True) * 1.0
        v = make(y)
        with pytest.raises(RuntimeError) as e:
            v.mul_(2)
        msgs.append(str(e.value))
        with lib.no_grad():
            v.mul_(2)  # fine without autograd
    assert "is a view and is being modified inplace. This view is the output of a function that returns " \
        "multiple views." in msgs[0]
    assert msgs[0].split(" is a view")[1] == msgs[1].split(" is a view")[1]


def test_multi_output_grad_fn_is_shared_like_torch():
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        a, b = x.split(2)
        assert a.grad_fn is b.grad_fn and (a.output_nr, b.output_nr) == (0, 1)
        assert type(a.grad_fn).__name__ == "SplitBackward0"
        rows = x.unbind()
        assert type(rows[2].grad_fn).__name__ == "UnbindBackward0" and rows[2].output_nr == 2
        rows[1].sum().backward()  # the other outputs get zero gradients
        assert x.grad.tolist() == [[0.0] * 4, [1.0] * 4, [0.0] * 4]


def test_saved_tensor_modified_through_a_view_is_detected():
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        y = x.exp()          # saves its output
        y[0, 0] = 1.0        # modified in place through a view of it
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_view_grad_fn_names_match_torch():
    for name, fn in VIEW_OPS.items():
        if name == "T":
            continue  # Tensor.T (in _tensor.py) gives TBackward0 for 2-d, torch PermuteBackward0 (reported)
        n = fn(ndgrad.tensor(X.copy(), requires_grad=True))
        t = fn(torch.tensor(X.copy(), requires_grad=True))
        assert type(n.grad_fn).__name__ == type(t.grad_fn).__name__, name


def test_view_created_before_inplace_on_base():
    for lib in (ndgrad, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = x.clone()
        v = y[0]
        y.add_(y)  # doubles y, and v with it
        v.sum().backward()
        if lib is ndgrad:
            got = x.grad.tolist()
        else:
            assert got == x.grad.tolist()


def test_relu_inplace_fast_path_matches_torch():
    """relu_ writes in one pass and saves its result; a tensor saved earlier is still protected."""
    import torch
    for lib in (ndgrad, torch):
        x = lib.tensor([[-1.0, 2.0], [3.0, -4.0]], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y.relu_()
        (y * y).sum().backward()
        assert x.grad.tolist() == [[0.0, 16.0], [24.0, 0.0]]
        assert type(y.grad_fn).__name__ == "ReluBackward0" and y._version == 1
        y = x * 2
        z = y * y  # saves y
        y.relu_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


STALE_VIEW_CASES = {
    "select, base doubled": lambda L, y: (y[0], lambda: y.add_(y)),
    "transpose, base scaled": lambda L, y: (y.t(), lambda: y.mul_(3)),
    "view of a view": lambda L, y: (y.view(12)[1:4], lambda: y.mul_(4)),
    "expanded row": lambda L, y: (y[1].expand(5, 4), lambda: y.mul_(2)),
    "written through a sibling view": lambda L, y: (y[0], lambda: y[:, 1].mul_(5)),
    "written through the view itself": lambda L, y: (y[:, 0], lambda: y[:, 0].mul_(10)),
    "base changed without grad": lambda L, y: (y[1], lambda: _no_grad_mul(L, y)),
}


def _no_grad_mul(L, y):
    with L.no_grad():
        y.mul_(7)


@pytest.mark.parametrize("case", list(STALE_VIEW_CASES))
def test_view_taken_before_its_base_changed_in_place_matches_torch(case):
    """The view's grad_fn is regenerated (AsStridedBackward0 on the base's new history), so its
    gradient sees the in-place change: grad_fn names, values and gradients equal torch's."""
    results = []
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        y = x * 1.5
        v, modify = STALE_VIEW_CASES[case](lib, y)
        modify()
        w = lib.tensor(np.arange(v.numel(), dtype=np.float64).reshape(tuple(v.shape)))
        (v * w).sum().backward()
        nxt = [type(f).__name__ for f, _ in v.grad_fn.next_functions]
        results.append((type(v.grad_fn).__name__, nxt, v.detach().numpy().tolist(), x.grad.numpy().tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("split", ["unbind", "split", "chunk"])
def test_multi_output_view_of_a_changed_base_is_refused_like_torch(split):
    for lib in (ndgrad, torch):
        y = lib.tensor(X.copy(), requires_grad=True) * 2
        v = {"unbind": lambda: y.unbind(0)[1], "split": lambda: y.split(1)[1], "chunk": lambda: y.chunk(3)[1]}[split]()
        y.mul_(2)
        with pytest.raises(RuntimeError, match=r"Output 1 of \w+ is a view and its base or another view of its "
                                               r"base has been modified inplace"):
            v.sum()


def test_regenerated_view_supports_double_backward():
    for lib in (ndgrad, torch):
        x = lib.tensor(X.copy(), requires_grad=True)
        y = x * x
        v = y[0]
        y.mul_(x)                                   # y = x**3, v its first row
        (g,) = lib.autograd.grad(v.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        if lib is ndgrad:
            got = (g.detach().numpy(), gg.numpy())
        else:
            np.testing.assert_allclose(got[0], g.detach().numpy())
            np.testing.assert_allclose(got[1], gg.numpy())


def test_views_print_and_pickle_as_tensors():
    import pickle
    x = ndgrad.ones(2, 3, requires_grad=True) * 2
    v = x[0]
    assert isinstance(v, ndgrad.Tensor) and type(v).__name__ == "Tensor"
    assert repr(v) == repr(x.detach()[0]).replace(")", ", grad_fn=<SelectBackward0>)")
    back = pickle.loads(pickle.dumps(v.detach()))
    assert back.tolist() == [2.0, 2.0, 2.0]
