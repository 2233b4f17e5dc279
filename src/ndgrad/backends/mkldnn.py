"""torch.backends.mkldnn: ndgrad does not use oneDNN (``is_available()`` is False); ``enabled`` is kept."""
enabled = True
deterministic = False


def is_available():
    return False
