"""Transformer, TransformerEncoder(Layer) and TransformerDecoder(Layer), as torch.nn's."""

__all__ = []
