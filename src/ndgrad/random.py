"""ndgrad.random (torch.random): the default generator's seed and state, and ``fork_rng``."""
import contextlib

from .ops.random import (default_generator, get_rng_state, initial_seed, manual_seed, seed,  # noqa: F401
                         set_rng_state)

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng",
           "default_generator"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run the block with the default generator's state saved, and restore it on exit, so random
    numbers drawn inside do not change the stream outside. ``devices``/``device_type`` are accepted
    for torch compatibility (ndgrad has only the CPU generator)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
