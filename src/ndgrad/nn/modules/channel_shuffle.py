"""ChannelShuffle: regroup channels (ShuffleNet), as torch.nn.ChannelShuffle."""

__all__ = []
