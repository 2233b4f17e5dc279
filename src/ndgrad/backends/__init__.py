"""ndgrad.backends (torch.backends): the flags scripts set or read. ndgrad computes with NumPy on the
CPU, so the flags are accepted and stored with torch's defaults but change nothing."""
from . import cpu, cuda, cudnn, mkldnn, mps, opt_einsum  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "opt_einsum"]
