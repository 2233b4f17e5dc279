"""Preprocessing presets that pretrained weights publish (``weights.transforms()``)."""
from ... import nn
from . import functional as F
from .functional import InterpolationMode

__all__ = ["ImageClassification"]


class ImageClassification(nn.Module):
    """Resize -> center crop -> float in [0, 1] -> normalise: ImageNet evaluation preprocessing.

    Accepts a PIL image or a ``(..., C, H, W)`` tensor (uint8 or float), returns a float32 tensor.

    Args:
        crop_size: side of the square center crop (224).
        resize_size: the smaller edge is resized to this first (256; 232 for the "V2" weights).
        mean, std: per-channel normalisation (ImageNet's by default).
        interpolation: resampling filter (bilinear).
        antialias: antialiased resizing of tensors (PIL images always are).

    Example:
        >>> preprocess = ResNet18_Weights.DEFAULT.transforms()
        >>> batch = preprocess(img).unsqueeze(0)
    """

    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not F._is_tensor(img):
            img = F.pil_to_tensor(img)
        img = F.convert_image_dtype(img)
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        format_string = self.__class__.__name__ + "("
        format_string += f"\n    crop_size={self.crop_size}"
        format_string += f"\n    resize_size={self.resize_size}"
        format_string += f"\n    mean={self.mean}"
        format_string += f"\n    std={self.std}"
        format_string += f"\n    interpolation={self.interpolation}"
        format_string += "\n)"
        return format_string

    def describe(self):
        return (f"Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image tensors. "
                f"The images are resized to ``resize_size={self.resize_size}`` using "
                f"``interpolation={self.interpolation}``, followed by a central crop of "
                f"``crop_size={self.crop_size}``. Finally the values are first rescaled to ``[0.0, 1.0]`` and "
                f"then normalized using ``mean={self.mean}`` and ``std={self.std}``.")
