"""DataParallel: torch's single-process, multi-GPU data parallelism. ndgrad has no accelerator, so
(as torch on a machine without one) the wrapper just runs the wrapped module: ``device_ids`` is
``[]``, the module is kept as ``module`` (``state_dict`` keys prefixed ``module.``)."""
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wrap ``module``; ``forward`` calls it with the same arguments (no device to scatter to).

    Example:
        >>> dp = nn.DataParallel(nn.Linear(4, 2))
        >>> list(dp.state_dict())
        ['module.weight', 'module.bias']
        >>> dp(ndgrad.randn(3, 4)).shape
        torch.Size([3, 2])
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        # no accelerator is ever available: torch then keeps only the module and an empty device list
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Functional DataParallel: like torch without an accelerator, it cannot pick a device type."""
    raise RuntimeError("device type could not be determined")
