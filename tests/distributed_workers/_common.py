"""Shared helpers of the worker scripts that tests/test_distributed.py runs under mpiexec.

A failed check raises AssertionError; ``init_process_group`` installed the hook that then aborts the
whole MPI job, so the test sees a non-zero exit status and the traceback instead of a hang.
"""
import numpy as np


def close(name, got, want, rtol=1e-5, atol=1e-6):
    got = np.asarray(got)
    want = np.asarray(want)
    if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=atol):
        err = np.max(np.abs(got.astype(np.float64) - want)) if got.shape == want.shape else "shape"
        raise AssertionError(f"{name}: got {got!r}, expected {want!r} (max abs error {err})")


def equal(name, got, want):
    if got != want:
        raise AssertionError(f"{name}: got {got!r}, expected {want!r}")


def params_close(name, model_a, model_b, rtol=1e-5, atol=1e-6):
    pa = dict(model_a.named_parameters())
    pb = dict(model_b.named_parameters())
    equal(f"{name}: parameter names", sorted(pa), sorted(pb))
    for k in pa:
        close(f"{name}: {k}", pa[k].detach().numpy(), pb[k].detach().numpy(), rtol, atol)
