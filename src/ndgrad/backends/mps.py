"""torch.backends.mps: no Metal backend on ndgrad."""


def is_available():
    return False


def is_built():
    return False
