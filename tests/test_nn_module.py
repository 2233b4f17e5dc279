"""nn.Module, Parameter and the containers, compared with torch: registries, traversal order,
state_dict keys and loading errors, reprs, hooks, modes, dtype conversion."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn


# -- helpers ---------------------------------------------------------------------------------------------
def build(lib):
    """The same nested model in either library."""
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 4)
            self.act = lib.nn.ReLU()
            self.register_buffer("steps", lib.zeros((), dtype=lib.int64))
            self.register_buffer("scratch", lib.zeros(3), persistent=False)

        def forward(self, x):
            return self.act(self.fc(x))

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = lib.nn.Embedding(10, 4, padding_idx=0)
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.heads = lib.nn.ModuleDict({"cls": lib.nn.Linear(4, 3), "reg": lib.nn.Linear(4, 1, bias=False)})
            self.seq = lib.nn.Sequential(lib.nn.Linear(4, 4), lib.nn.Tanh(), lib.nn.Dropout(0.1))
            self.scale = lib.nn.Parameter(lib.ones(1))

        def forward(self, idx):
            h = self.embed(idx).mean(1)
            for b in self.blocks:
                h = b(h)
            h = self.seq(h) * self.scale
            return self.heads["cls"](h), self.heads["reg"](h)

    return Net()


def copy_weights(tmod, nmod):
    """Load torch's weights into the ndgrad module (through NumPy arrays)."""
    sd = {k: ndgrad.tensor(v.detach().numpy().copy()) for k, v in tmod.state_dict().items()}
    nmod.load_state_dict(sd)


# -- Parameter ---------------------------------------------------------------------------------------------
def test_parameter_basics():
    p = nn.Parameter(ndgrad.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert isinstance(p, ndgrad.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert repr(p) == repr(tp)
    q = nn.Parameter(ndgrad.tensor([1.0]), requires_grad=False)
    assert repr(q) == repr(torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False))
    assert not q.requires_grad
    assert type(p * 2) is ndgrad.Tensor
    assert nn.Parameter().shape == (0,)


def test_parameter_shares_data_and_copies():
    t = ndgrad.zeros(3)
    p = nn.Parameter(t)
    t.add_(1)
    assert p.tolist() == [1.0, 1.0, 1.0]
    c = copy.deepcopy(p)
    assert isinstance(c, nn.Parameter) and c.requires_grad and c.tolist() == p.tolist()
    t.add_(1)
    assert c.tolist() == [1.0, 1.0, 1.0]
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, nn.Parameter) and r.requires_grad and r.tolist() == [2.0, 2.0, 2.0]


def test_buffer_marker():
    m = nn.Module()
    m.running = nn.Buffer(ndgrad.zeros(2))
    m.tmp = nn.Buffer(ndgrad.ones(2), persistent=False)
    assert "running" in m._buffers and "tmp" in m._buffers
    assert list(m.state_dict()) == ["running"]


# -- registries --------------------------------------------------------------------------------------------
def test_setattr_routes_and_replaces():
    m = nn.Module()
    m.fc = nn.Linear(512, 1000)
    assert list(m._modules) == ["fc"]
    m.fc = nn.Linear(512, 10)
    assert m.fc.out_features == 10 and len(m._modules) == 1
    assert [n for n, _ in m.named_parameters()] == ["fc.weight", "fc.bias"]
    m.w = nn.Parameter(ndgrad.zeros(2))
    m.w = nn.Parameter(ndgrad.ones(3))
    assert m.w.shape == (3,)
    m.w = None
    assert "w" in m._parameters and m.w is None
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = ndgrad.zeros(2)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'fc'"):
        m.fc = 3
    m.register_buffer("buf", ndgrad.zeros(2))
    m.buf = ndgrad.ones(2)  # a tensor assigned to a buffer name stays a buffer
    assert m._buffers["buf"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="as parameter 'w'"):
        m.w = nn.Identity()  # torch refuses a module where a parameter is registered
    del m.w
    m.w = nn.Identity()
    assert "w" not in m._parameters and "w" in m._modules
    del m.fc
    assert "fc" not in m._modules
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'fc'"):
        m.fc


def test_registration_errors_match_torch():
    cases = [
        lambda lib, m: m.register_buffer("a.b", lib.zeros(1)),
        lambda lib, m: m.register_buffer("", lib.zeros(1)),
        lambda lib, m: m.register_buffer("x", 3),
        lambda lib, m: m.register_parameter("a.b", None),
        lambda lib, m: m.register_parameter("x", lib.zeros(1)),
        lambda lib, m: m.add_module("a.b", lib.nn.ReLU()),
        lambda lib, m: m.add_module("x", 3),
        lambda lib, m: m.register_parameter("training", None),
        lambda lib, m: m.register_parameter("p", lib.nn.Parameter(lib.zeros(1)) * 2),
    ]
    for fn in cases:
        errs = []
        for lib in (torch, ndgrad):
            m = lib.nn.Module()
            with pytest.raises(Exception) as info:
                fn(lib, m)
            errs.append(info)
        assert errs[0].type is errs[1].type, (errs[0].value, errs[1].value)
        assert str(errs[0].value) == str(errs[1].value)


def test_assign_before_init():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ndgrad.zeros(1))
    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"):
        Bad()


def test_traversal_matches_torch():
    t, n = build(torch), build(ndgrad)
    assert [k for k, _ in t.named_parameters()] == [k for k, _ in n.named_parameters()]
    assert [k for k, _ in t.named_buffers()] == [k for k, _ in n.named_buffers()]
    assert [k for k, _ in t.named_modules()] == [k for k, _ in n.named_modules()]
    assert [k for k, _ in t.named_children()] == [k for k, _ in n.named_children()]
    assert [k for k, _ in t.named_parameters(prefix="model")] == [k for k, _ in n.named_parameters(prefix="model")]
    assert [k for k, _ in t.named_parameters(recurse=False)] == [k for k, _ in n.named_parameters(recurse=False)]
    assert [type(m).__name__ for m in t.modules()] == [type(m).__name__ for m in n.modules()]
    assert len(list(n.parameters())) == len(list(t.parameters()))


def test_shared_parameters_remove_duplicate():
    for lib in (torch, ndgrad):
        lin = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(lin, lib.nn.ReLU(), lin)
        names = [k for k, _ in seq.named_parameters()]
        all_names = [k for k, _ in seq.named_parameters(remove_duplicate=False)]
        mods = [k for k, _ in seq.named_modules()]
        all_mods = [k for k, _ in seq.named_modules(remove_duplicate=False)]
        if lib is torch:
            expect = (names, all_names, mods, all_mods)
        else:
            assert (names, all_names, mods, all_mods) == expect
    assert len(list(seq.parameters())) == 2


def test_get_submodule_parameter_buffer():
    t, n = build(torch), build(ndgrad)
    assert type(n.get_submodule("blocks.1.fc")).__name__ == "Linear"
    assert n.get_parameter("blocks.0.fc.weight") is n.blocks[0].fc.weight
    assert n.get_buffer("blocks.0.steps") is n.blocks[0].steps
    for target, getter in [("blocks.5", "get_submodule"), ("nothing.fc", "get_submodule"),
                           ("blocks.0.fc.weight", "get_submodule"), ("blocks.0.fc", "get_parameter"),
                           ("blocks.0.fc.nope", "get_parameter"), ("blocks.0.fc.weight", "get_buffer")]:
        with pytest.raises(AttributeError) as te:
            getattr(t, getter)(target)
        with pytest.raises(AttributeError) as ne:
            getattr(n, getter)(target)
        assert str(te.value) == str(ne.value)


def test_dir_lists_registered_names():
    n = build(ndgrad)
    d = dir(n)
    for name in ("embed", "blocks", "scale", "forward", "training"):
        assert name in d
    assert all(not k[0].isdigit() for k in dir(n.blocks))


# -- state_dict ---------------------------------------------------------------------------------------------
def test_state_dict_keys_match_torch():
    t, n = build(torch), build(ndgrad)
    assert list(t.state_dict()) == list(n.state_dict())
    assert "blocks.0.scratch" not in n.state_dict()
    assert list(t.state_dict()._metadata) == list(n.state_dict()._metadata)
    sd = n.state_dict()
    assert not sd["scale"].requires_grad
    assert sd["scale"].numpy() is n.scale.detach().numpy() or np.shares_memory(sd["scale"].numpy(),
                                                                                 n.scale.detach().numpy())
    assert n.state_dict(keep_vars=True)["scale"] is n.scale
    assert list(n.state_dict(prefix="net.")) == ["net." + k for k in t.state_dict()]


def test_load_state_dict_roundtrip_and_outputs():
    t, n = build(torch), build(ndgrad)
    copy_weights(t, n)
    t.eval()
    n.eval()
    idx = np.array([[1, 2, 0], [3, 4, 5]])
    ta, tb = t(torch.tensor(idx))
    na, nb = n(ndgrad.tensor(idx))
    np.testing.assert_allclose(na.detach().numpy(), ta.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(nb.detach().numpy(), tb.detach().numpy(), rtol=1e-5, atol=1e-6)
    # loading copies in place: the Parameter objects stay the same
    w = n.blocks[0].fc.weight
    n.load_state_dict(n.state_dict())
    assert n.blocks[0].fc.weight is w


def _errors(fn):
    msgs = []
    for lib in (torch, ndgrad):
        with pytest.raises(RuntimeError) as info:
            fn(lib)
        msgs.append(str(info.value))
    return msgs


def test_load_state_dict_errors_match_torch():
    def missing(lib):
        m = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
        sd = m.state_dict()
        del sd["2.bias"]
        sd["extra"] = lib.zeros(1)
        sd["0.unknown"] = lib.zeros(1)
        m.load_state_dict(sd)

    def size(lib):
        m = lib.nn.Sequential(OrderedDict(fc=lib.nn.Linear(512, 10)))
        sd = lib.nn.Sequential(OrderedDict(fc=lib.nn.Linear(512, 1000))).state_dict()
        m.load_state_dict(sd)

    def size_non_strict(lib):
        m = lib.nn.Linear(2, 3)
        m.load_state_dict({"weight": lib.zeros(4, 2)}, strict=False)

    for fn in (missing, size, size_non_strict):
        t, n = _errors(fn)
        assert n == t


def test_load_state_dict_non_strict_returns_incompatible_keys():
    res = {}
    for lib in (torch, ndgrad):
        m = lib.nn.Linear(2, 3)
        out = m.load_state_dict({"weight": lib.ones(3, 2), "junk": lib.zeros(1)}, strict=False)
        res[lib] = (out.missing_keys, out.unexpected_keys, repr(out))
        ok = m.load_state_dict(m.state_dict())
        res[lib] += (repr(ok),)
    assert res[torch] == res[ndgrad]
    assert res[ndgrad][-1] == "<All keys matched successfully>"


def test_load_state_dict_assign_and_numpy_values():
    m = nn.Linear(2, 3)
    new_w = ndgrad.ones(3, 2)
    m.load_state_dict({"weight": new_w, "bias": np.zeros(3, dtype=np.float32)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert np.shares_memory(m.weight.detach().numpy(), new_w.numpy())
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        m.load_state_dict([1, 2])


def test_load_from_state_dict_hook_point():
    class Old(nn.Module):
        _version = 2

        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(ndgrad.zeros(2))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
            if local_metadata.get("version", 1) < 2 and prefix + "w" in state_dict:
                state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing, unexpected, errors)

    m = Old()
    sd = OrderedDict(w=ndgrad.ones(2))
    sd._metadata = {"": {"version": 1}}
    m.load_state_dict(sd)
    assert m.weight.tolist() == [1.0, 1.0]
    assert m.state_dict()._metadata[""] == {"version": 2}


def test_extra_state():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 0

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    a = WithExtra()
    a.value = 7
    sd = a.state_dict()
    assert list(sd) == ["_extra_state"]
    b = WithExtra()
    b.load_state_dict(sd)
    assert b.value == 7


# -- repr ---------------------------------------------------------------------------------------------------
def test_repr_matches_torch_nested():
    assert repr(build(torch)) == repr(build(ndgrad))


def test_repr_matches_torch_layers():
    def layers(lib):
        m = lib.nn
        return [m.Linear(3, 4, bias=False), m.Bilinear(2, 3, 4), m.Identity(), m.Flatten(), m.Unflatten(1, (2, 3)),
                m.Dropout(), m.Dropout2d(0.3, inplace=True), m.AlphaDropout(0.2), m.Embedding(5, 2, padding_idx=1,
                                                                                                max_norm=1.0),
                m.ReLU(inplace=True), m.ReLU6(), m.LeakyReLU(0.2), m.PReLU(3), m.ELU(0.5, inplace=True), m.SELU(),
                m.CELU(), m.GELU(approximate="tanh"), m.SiLU(), m.Mish(), m.Sigmoid(), m.Tanh(), m.Hardtanh(-2, 2),
                m.Hardswish(), m.Hardsigmoid(), m.Softplus(2, 10), m.Softsign(), m.Tanhshrink(),
                m.Threshold(0.1, 20), m.LogSigmoid(), m.Softmax(dim=1), m.LogSoftmax(-1), m.Softmin(0),
                m.Softmax2d(), m.GLU(), m.Hardshrink(), m.Softshrink(0.3), m.RReLU(), m.CrossEntropyLoss(),
                m.MSELoss(reduction="sum"), m.BCEWithLogitsLoss(), m.NLLLoss(), m.PairwiseDistance(),
                m.CosineSimilarity(), m.EmbeddingBag(10, 3, mode="sum"),
                m.ParameterList([m.Parameter(lib.ones(3)), m.Parameter(lib.ones(2, 2).double())]),
                m.ParameterDict({"a": m.Parameter(lib.ones(3))}), m.ModuleList([m.Linear(2, 2) for _ in range(3)]
                                                                                + [m.ReLU()]),
                m.ModuleList(), m.Sequential()]
    for a, b in zip(layers(torch), layers(ndgrad)):
        assert repr(a) == repr(b)


def test_custom_extra_repr():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(1, 1)

        def extra_repr(self):
            return "alpha=1,\nbeta=2"
    assert repr(Custom()) == ("Custom(\n  alpha=1,\n  beta=2\n  (inner): Linear(in_features=1, out_features=1, "
                              "bias=True)\n)")


# -- calling and hooks ---------------------------------------------------------------------------------------
def test_forward_not_implemented():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(1)


def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
    out = m(ndgrad.ones(1, 2))
    np.testing.assert_allclose(out.detach().numpy(), m.bias.detach().numpy()[None] + 1, rtol=1e-6)
    h1.remove()
    h2.remove()
    h3 = m.register_forward_pre_hook(lambda mod, args, kwargs: calls.append(("pre", kwargs)), with_kwargs=True)
    h4 = m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(("post", out.shape)), with_kwargs=True)
    h5 = m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    m(input=ndgrad.ones(3, 2))
    assert calls[0] == ("pre", {"input": calls[0][1]["input"]})
    assert calls[1] == "first" and calls[2] == ("post", (3, 2))
    for h in (h3, h4, h5):
        h.remove()
    calls.clear()
    m(ndgrad.ones(1, 2))
    assert calls == []
    with m.register_forward_hook(lambda *a: calls.append(1)):
        m(ndgrad.ones(1, 2))
    m(ndgrad.ones(1, 2))
    assert calls == [1]


def test_forward_hook_always_call():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    m = Boom()
    seen = []
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    with pytest.raises(ValueError):
        m(1)
    assert seen == [None]


def test_full_backward_hooks_match_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    res = {}
    for lib in (torch, ndgrad):
        lib.manual_seed(0)
        lin = lib.nn.Linear(4, 2).double()
        got = {}

        def hook(mod, gin, gout):
            got["gin"] = [g.detach().numpy().copy() for g in gin]
            got["gout"] = [g.detach().numpy().copy() for g in gout]
            return (gin[0] * 2,)

        def pre(mod, gout):
            got["pre"] = gout[0].detach().numpy().copy()
            return (gout[0] * 3,)
        lin.register_full_backward_hook(hook)
        lin.register_full_backward_pre_hook(pre)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(np.arange(8.0).reshape(2, 4) / 10))
            lin.bias.copy_(lib.tensor(np.array([0.1, -0.2])))
        xi = lib.tensor(x, requires_grad=True)
        (lin(xi) ** 2).sum().backward()
        got["x"] = xi.grad.numpy().copy()
        got["w"] = lin.weight.grad.numpy().copy()
        res[lib] = got
    for k in ("gin", "gout"):
        for a, b in zip(res[torch][k], res[ndgrad][k]):
            np.testing.assert_allclose(b, a, rtol=1e-10)
    for k in ("pre", "x", "w"):
        np.testing.assert_allclose(res[ndgrad][k], res[torch][k], rtol=1e-10)


def test_backward_hook_without_input_grad():
    lin = nn.Linear(3, 1)
    seen = []
    lin.register_full_backward_hook(lambda m, gin, gout: seen.append((gin, gout[0].shape)))
    lin(ndgrad.ones(2, 3)).sum().backward()
    assert seen == [((None,), (2, 1))]
    assert lin.weight.grad is not None


# -- modes, gradients, conversions ----------------------------------------------------------------------------
def test_train_eval_and_apply():
    n = build(ndgrad)
    assert all(m.training for m in n.modules())
    assert n.eval() is n
    assert not any(m.training for m in n.modules())
    n.train()
    assert all(m.training for m in n.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        n.train("yes")
    visited = []
    n.apply(lambda m: visited.append(type(m).__name__))
    t_visited = []
    build(torch).apply(lambda m: t_visited.append(type(m).__name__))
    assert visited == t_visited

    def init_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
    n.apply(init_linear)
    assert float(n.seq[0].weight.mean()) == 0.5


def test_requires_grad_freezes_parameters():
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    m[0].requires_grad_(False)
    m(ndgrad.randn(5, 3)).sum().backward()
    assert m[0].weight.grad is None and m[0].bias.grad is None
    assert m[2].weight.grad is not None
    assert not m[0].weight.requires_grad


def test_zero_grad():
    m = nn.Linear(3, 2)
    m(ndgrad.ones(1, 3)).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and float(g.abs().sum()) == 0
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_to_double_keeps_parameter_identity():
    n = build(ndgrad)
    w = n.blocks[0].fc.weight
    n(ndgrad.tensor([[1, 2]])) [0].sum().backward()
    assert n.double() is n
    assert n.blocks[0].fc.weight is w
    assert w.dtype == ndgrad.float64 and w.grad.dtype == ndgrad.float64
    assert n.blocks[0].steps.dtype == ndgrad.int64  # integer buffers keep their dtype
    assert n.blocks[0].scratch.dtype == ndgrad.float64
    out = n(ndgrad.tensor([[1, 2]]))[0]
    assert out.dtype == ndgrad.float64
    n.to(ndgrad.float32)
    assert w.dtype == ndgrad.float32
    n.to("cpu")
    n.to(ndgrad.zeros(1, dtype=ndgrad.float64))
    assert w.dtype == ndgrad.float64
    n.float()
    assert w.dtype == ndgrad.float32
    assert n.cpu() is n
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes, but got "
                                        "desired dtype=torch.int64"):
        n.to(ndgrad.int64)


def test_optimizer_keeps_working_after_to():
    m = nn.Linear(2, 1)
    params = list(m.parameters())
    m.double()
    m(ndgrad.ones(3, 2, dtype=ndgrad.float64)).sum().backward()
    with ndgrad.no_grad():
        for p in params:
            p -= 0.1 * p.grad
    assert m.weight is params[0] and m.weight.dtype == ndgrad.float64


def test_copy_deepcopy_pickle_module():
    n = build(ndgrad)
    c = copy.deepcopy(n)
    assert c.blocks[0].fc.weight is not n.blocks[0].fc.weight
    np.testing.assert_array_equal(c.blocks[0].fc.weight.detach().numpy(), n.blocks[0].fc.weight.detach().numpy())
    assert isinstance(c.scale, nn.Parameter)
    lin = nn.Linear(2, 2)
    r = pickle.loads(pickle.dumps(lin))
    assert isinstance(r.weight, nn.Parameter) and list(r.state_dict()) == ["weight", "bias"]


# -- containers ------------------------------------------------------------------------------------------------
def test_sequential_api():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3)
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and s[0] is a and s[-1] is c and list(s) == [a, b, c]
    sl = s[1:]
    assert isinstance(sl, nn.Sequential) and list(sl._modules) == ["1", "2"] and sl[0] is b
    with pytest.raises(IndexError, match="index 3 is out of range"):
        s[3]
    s.append(nn.Tanh())
    assert len(s) == 4 and list(s._modules) == ["0", "1", "2", "3"]
    s.insert(0, nn.Identity())
    assert isinstance(s[0], nn.Identity) and s[1] is a and len(s) == 5
    s.extend([nn.Sigmoid()])
    assert isinstance(s[-1], nn.Sigmoid)
    del s[0]
    assert s[0] is a and list(s._modules) == [str(i) for i in range(5)]
    s[1] = nn.GELU()
    assert isinstance(s[1], nn.GELU)
    assert len(s + nn.Sequential(nn.ReLU())) == 6
    assert len(nn.Sequential(nn.ReLU()) * 3) == 3
    assert isinstance(s.pop(-1), nn.Sigmoid)
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"] and named.act is named[1]
    out = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))(ndgrad.ones(4, 1))
    assert out.shape == (4, 3)


def test_modulelist_moduledict():
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
    ml.append(nn.Sigmoid())
    ml.extend([nn.GELU()])
    ml.insert(1, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Identity", "Tanh", "Sigmoid", "GELU"]
    assert isinstance(ml[-1], nn.GELU) and isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2", "3"]
    ml += [nn.ReLU()]
    assert len(ml) == 5
    with pytest.raises(TypeError):
        ml.extend(3)
    md = nn.ModuleDict({"a": nn.ReLU()})
    md["b"] = nn.Linear(1, 1)
    md.update([("c", nn.Tanh())])
    assert list(md.keys()) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert list(md.state_dict()) == ["b.weight", "b.bias"]
    assert isinstance(md.pop("a"), nn.ReLU) and list(md) == ["b", "c"]


def test_parameterlist_parameterdict():
    pl = nn.ParameterList([ndgrad.ones(2), nn.Parameter(ndgrad.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl)
    pl.append(ndgrad.ones(1))
    assert len(pl) == 3 and [k for k, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert len(pl[1:]) == 2
    pd = nn.ParameterDict({"b": ndgrad.ones(1), "a": ndgrad.ones(2)})
    assert list(pd.keys()) == ["a", "b"]  # a plain dict is sorted, as torch does
    pd["c"] = ndgrad.zeros(1)
    assert isinstance(pd["c"], nn.Parameter) and list(pd.state_dict()) == ["a", "b", "c"]
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl(1)


def test_load_torch_state_dict_directly():
    t = torch.nn.Linear(3, 2)
    n = nn.Linear(3, 2)
    n.load_state_dict(t.state_dict())
    np.testing.assert_array_equal(n.weight.detach().numpy(), t.weight.detach().numpy())


def test_global_forward_hooks():
    from ndgrad.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
    seen = []
    h1 = register_module_forward_pre_hook(lambda m, args: seen.append(("pre", type(m).__name__)))
    h2 = register_module_forward_hook(lambda m, args, out: seen.append(("post", type(m).__name__)))
    try:
        nn.Sequential(nn.ReLU())(ndgrad.ones(2))
    finally:
        h1.remove()
        h2.remove()
    assert seen == [("pre", "Sequential"), ("pre", "ReLU"), ("post", "ReLU"), ("post", "Sequential")]
    seen.clear()
    nn.ReLU()(ndgrad.ones(2))
    assert seen == []
