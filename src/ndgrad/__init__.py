"""ndgrad: PyTorch's autograd, nn, optim and data APIs in pure Python on NumPy.

``import ndgrad as torch`` and keep going:

    >>> import ndgrad as torch
    >>> a = torch.tensor([2., 3.], requires_grad=True)
    >>> Q = 3 * a ** 3
    >>> Q.sum().backward()
    >>> a.grad
    tensor([36., 81.])
"""
import importlib as _importlib

import numpy as _np

# torch computes 0/0, log(0), overflow silently (nan/inf); so do we. A per-op errstate would cost
# about a microsecond per op on the hot path, hence the process-wide setting (documented in README).
_np.seterr(all="ignore")

from ._dtype import (dtype, float16, half, float32, float64, double, bfloat16, int8, int16, short, int32,  # noqa: F401
                     int64, long, uint8, complex64, complex128, cfloat, cdouble, get_default_dtype,
                     set_default_dtype, promote_types, result_type, can_cast, is_floating_point, is_complex)
from ._dtype import float, int, bool  # noqa: F401  (torch exposes these names too)
from ._dtype import uint16, uint32, uint64  # noqa: F401
from ._tensor import Tensor, Size, device, layout, strided  # noqa: F401
from ._tensor_str import set_printoptions, get_printoptions, printoptions  # noqa: F401
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                                 is_grad_enabled, is_inference_mode_enabled)
from . import ops as _ops
from .ops.creation import *  # noqa: F401,F403
from .ops.random import *  # noqa: F401,F403
from .ops.arith import *  # noqa: F401,F403
from .ops.unary import *  # noqa: F401,F403
from .ops.special_fns import *  # noqa: F401,F403
from .ops.compare import *  # noqa: F401,F403
from .ops.convert import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.cumulative import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.joining import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.scatter_gather import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.softmax import *  # noqa: F401,F403
from .ops.linalg_decomp import *  # noqa: F401,F403
from .ops.statistics import *  # noqa: F401,F403
from .ops.construction import *  # noqa: F401,F403
from .ops.aliases import *  # noqa: F401,F403
from . import autograd  # noqa: F401

__version__ = "0.1.0"

FloatTensor = DoubleTensor = LongTensor = Tensor  # noqa: N816  (legacy aliases used in old scripts)

# Subpackages that are heavier or optional load on first attribute access (fast ``import ndgrad``).
_LAZY = {"nn", "optim", "utils", "linalg", "vision", "serialization", "viz", "distributed", "testing",
         "special", "fft", "cli", "func", "hub", "distributions"}
_LAZY_ATTRS = {"save": "serialization", "load": "serialization"}
# heavy kernels under torch's top-level names, imported on first use (keeps ``import ndgrad`` fast)
_LAZY_ATTRS.update({name: "ops.conv" for name in ("convolution", "conv1d", "conv2d", "conv_transpose1d",
                                                   "conv_transpose2d", "constant_pad_nd")})
_LAZY_ATTRS.update({name: "ops.pool" for name in ("max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d",
                                                   "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle")})
_LAZY_ATTRS.update({name: "ops.norm" for name in ("batch_norm", "layer_norm", "group_norm", "instance_norm")})
_LAZY_ATTRS.update({"conv3d": "nn.functional.conv", "conv_transpose3d": "nn.functional.conv",
                    "max_pool3d": "nn.functional.volumetric", "channel_shuffle": "nn.modules.channel_shuffle",
                    "native_channel_shuffle": "nn.modules.channel_shuffle"})
_LAZY_ATTRS.update({name: "ops.signal" for name in ("hann_window", "hamming_window", "blackman_window",
                                                     "bartlett_window", "kaiser_window", "stft", "istft")})
_LAZY.add("signal")
_LAZY.update({"random", "backends", "amp"})
_LAZY_ATTRS["autocast"] = "amp"


def __getattr__(name):
    if name in _LAZY:
        return _importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRS:
        return getattr(_importlib.import_module(f".{_LAZY_ATTRS[name]}", __name__), name)
    raise AttributeError(f"module 'ndgrad' has no attribute '{name}'")


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def cuda_is_available():
    return False


class _Cuda:
    """``ndgrad.cuda.is_available()`` is False: ndgrad computes on the CPU."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        pass

    manual_seed_all = manual_seed


cuda = _Cuda()
