"""Programs behind the ``ndgrad`` command (tutorial walk-through, fine-tuning)."""
