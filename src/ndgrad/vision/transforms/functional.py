"""Functional image transforms (torchvision.transforms.functional) for PIL images and tensors.

Tensor images have shape ``(..., C, H, W)``; uint8 images hold 0..255, floating ones 0..1. PIL
images are handled by Pillow itself (imported only when a PIL image is passed), as torchvision
does, so results match torchvision's for both kinds of input. ``normalize`` is built from ndgrad
ops (differentiable); the other tensor transforms are data preprocessing and return tensors that
do not require grad.

Example:
    >>> img = F.pil_to_tensor(pil_image)                 # uint8 (3, H, W)
    >>> x = F.normalize(F.convert_image_dtype(F.center_crop(F.resize(img, 256), 224)),
    ...                 mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
"""
import numbers
import warnings
from enum import Enum

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
           "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize", "resize", "crop", "center_crop",
           "resized_crop", "pad", "hflip", "vflip", "adjust_brightness", "adjust_contrast", "adjust_saturation",
           "adjust_hue", "rgb_to_grayscale", "to_grayscale"]


class InterpolationMode(Enum):
    """Resampling filters (torchvision's names and values)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    # PIL only
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# PIL's filter constants (Image.Resampling), without importing Pillow
pil_modes_mapping = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}


def _interpolation_modes_from_int(i):
    inverse = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
               4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
    return inverse[i]


def _as_mode(interpolation):
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if isinstance(interpolation, str):
        return InterpolationMode(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer "
                        "constant")
    return interpolation


# -- helpers -----------------------------------------------------------------------------------------

def _is_tensor(img):
    return isinstance(img, Tensor)


def _check_img(img):
    if _is_tensor(img):
        if img.dim() < 2:
            raise TypeError(f"Tensor is not a torch image: expected at least 2 dimensions, got {img.dim()}")
        return True
    if F_pil.is_pil_image(img):
        return False
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _np(img):
    return img.detach().numpy()


def _wrap(arr):
    # always fresh memory: an ndgrad tensor around a view of another tensor's array would share
    # data without sharing its version counter
    from ... import from_numpy
    arr = np.ascontiguousarray(arr)
    if arr.base is not None:
        arr = arr.copy()
    return from_numpy(arr)


def _np_dtype(dtype):
    return _dtype.to_dtype(dtype).np


# -- shapes ------------------------------------------------------------------------------------------

def get_dimensions(img):
    """``[channels, height, width]`` of a tensor or PIL image."""
    if _check_img(img):
        channels = 1 if img.dim() == 2 else img.shape[-3]
        return [channels, img.shape[-2], img.shape[-1]]
    return F_pil.get_dimensions(img)


def get_image_size(img):
    """``[width, height]`` (note the order, as torchvision)."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# -- conversion --------------------------------------------------------------------------------------

def to_tensor(pic):
    """PIL image or ``(H, W[, C])`` ndarray -> float32 ``(C, H, W)`` tensor in [0, 1] (uint8 is divided by 255)."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        arr = np.ascontiguousarray(pic.transpose((2, 0, 1)))
        if arr.dtype == np.uint8:
            return _wrap(arr.astype(np.float32) / np.float32(255))
        return _wrap(arr)
    if not F_pil.is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    mode_to_nptype = {"I": np.int32, "I;16": np.int16, "F": np.float32}
    arr = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = 255 * arr
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose(2, 0, 1)
    if arr.dtype == np.uint8:
        return _wrap(arr.astype(np.float32) / np.float32(255))
    return _wrap(arr)


def pil_to_tensor(pic):
    """PIL image -> ``(C, H, W)`` tensor of the image's own dtype (uint8 for "RGB"/"L"), no scaling."""
    if not F_pil.is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose(2, 0, 1)
    return _wrap(arr)


def to_pil_image(pic, mode=None):
    """``(C, H, W)`` tensor or ``(H, W, C)`` ndarray -> PIL image (floats are scaled by 255 to uint8)."""
    Image = F_pil.require_pil("to_pil_image")
    if _is_tensor(pic):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        arr = _np(pic)
        if arr.ndim == 2:
            arr = arr[None]
        if np.issubdtype(arr.dtype, np.floating) and mode != "F":
            arr = (arr * 255).astype(np.uint8)
        arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if arr.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    if arr.shape[2] == 1:
        arr = arr[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.int32): "I",
                    np.dtype(np.float32): "F"}.get(arr.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[arr.shape[2]]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {arr.shape[2]}D inputs")
        if mode is None:
            mode = permitted[0]
        if arr.dtype != np.uint8:
            raise TypeError(f"Input type {arr.dtype} is not supported")
    if mode is None:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    arr = np.ascontiguousarray(arr)
    return Image.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image to ``dtype``, rescaling values (uint8 255 <-> float 1.0).

    Raises:
        RuntimeError: float32 -> int32/int64 or float64 -> int64, which cannot be done exactly.
    """
    from ... import float32
    if dtype is None:
        dtype = float32
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    src = _np(image)
    out_np = _np_dtype(dtype)
    src_float = np.issubdtype(src.dtype, np.floating)
    out_float = np.issubdtype(out_np, np.floating)
    if src_float:
        if out_float:
            return _wrap(src.astype(out_np))
        if ((src.dtype == np.float32 and out_np in (np.int32, np.int64))
                or (src.dtype == np.float64 and out_np == np.int64)):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # 1 - eps so that 1.0 maps to the maximum and rounding never overflows
        eps = 1e-3
        scale = src.dtype.type(F_t.max_value(out_np) + 1.0 - eps)
        return _wrap((src * scale).astype(out_np))
    if out_float:
        return _wrap(src.astype(out_np) / out_np.type(F_t.max_value(src.dtype)))
    in_max, out_max = F_t.max_value(src.dtype), F_t.max_value(out_np)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return _wrap((src // factor).astype(out_np))
    factor = (out_max + 1) // (in_max + 1)
    return _wrap(src.astype(out_np) * out_np.type(factor))


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean[c]) / std[c]`` per channel of a float ``(..., C, H, W)`` tensor (differentiable)."""
    from ... import as_tensor
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    mean = as_tensor(mean, dtype=tensor.dtype)
    std = as_tensor(std, dtype=tensor.dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.dim() == 1:
        mean = mean.view(-1, 1, 1)
    if std.dim() == 1:
        std = std.view(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean).div_(std)
    return (tensor - mean) / std


# -- geometry ----------------------------------------------------------------------------------------

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None or len(size) == 0:
        if max_size is None:
            raise ValueError("size can only be None if max_size is set")
        new_short, new_long = int(max_size * short / long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    if len(size) == 1:
        requested_new_short = size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                                 f"smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    return [size[0], size[1]]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size``: ``(h, w)``, or an int / ``[int]`` for the smaller edge (aspect kept).

    Tensors resample as ``torch.nn.functional.interpolate`` (antialiased bilinear/bicubic by
    default, as torchvision); integer tensors are resampled in float32 and rounded back.
    """
    interpolation = _as_mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    elif isinstance(size, int):
        size = [size]
    elif size is not None:
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    is_tensor = _check_img(img)
    _, h, w = get_dimensions(img)
    output_size = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == output_size:
        return img
    if not is_tensor:
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument antialias is ignored.")
        return F_pil.resize(img, output_size, pil_modes_mapping[interpolation])
    mode = interpolation.value
    if antialias is None:
        antialias = False
    if antialias and mode not in ("bilinear", "bicubic"):
        antialias = False
    arr = _np(img)
    out_dtype = arr.dtype
    work = arr if out_dtype in (np.float32, np.float64) else arr.astype(np.float32)
    out = F_t.resize(work, output_size, mode, antialias)
    if out_dtype not in (np.float32, np.float64):
        if mode == "bicubic" and out_dtype == np.uint8:
            out = np.clip(out, 0, 255)
        if np.issubdtype(out_dtype, np.integer):
            out = np.round(out)
        out = out.astype(out_dtype)
    return _wrap(out)


def crop(img, top, left, height, width):
    """The ``height x width`` region at (``top``, ``left``); outside the image is zero-padded."""
    if not _check_img(img):
        return F_pil.crop(img, top, left, height, width)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    arr = _np(img)
    if left < 0 or top < 0 or right > w or bottom > h:
        arr = arr[..., max(top, 0):bottom, max(left, 0):right]
        return _wrap(F_t.pad(arr, max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0)))
    return _wrap(arr[..., top:bottom, left:right])


def center_crop(img, output_size):
    """The central ``output_size`` region (an int for a square); a smaller image is zero-padded first."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """``crop`` then ``resize`` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        padding = [int(padding)]
    if not isinstance(padding, (list, tuple)):
        raise TypeError("Got inappropriate padding arg")
    padding = list(padding)
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return padding


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is an int, ``(lr, tb)`` or ``(left, top, right, bottom)``.

    ``padding_mode``: "constant" (``fill``), "edge", "reflect" (no edge repeat) or "symmetric".
    """
    left, top, right, bottom = _parse_padding(padding)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if not _check_img(img):
        return F_pil.pad(img, left, top, right, bottom, fill, padding_mode)
    arr = _np(img)
    if fill is None:
        fill = 0
    if padding_mode == "constant" and isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill[0]
        else:
            raise ValueError("fill for tensor images must be a number (per-channel fill is not supported)")
    return _wrap(F_t.pad(arr, left, top, right, bottom, fill, padding_mode))


def hflip(img):
    """Mirror left-right."""
    if not _check_img(img):
        return F_pil.hflip(img)
    return _wrap(_np(img)[..., ::-1])


def vflip(img):
    """Mirror top-bottom."""
    if not _check_img(img):
        return F_pil.vflip(img)
    return _wrap(_np(img)[..., ::-1, :])


# -- colour ------------------------------------------------------------------------------------------

def _blend(arr, other, ratio):
    """``ratio * arr + (1 - ratio) * other`` clamped to the image range, in the input's dtype."""
    bound = F_t.max_value(arr.dtype)
    ft = arr.dtype.type if np.issubdtype(arr.dtype, np.floating) else np.float32
    out = ft(ratio) * arr.astype(ft, copy=False) + ft(1.0 - ratio) * other.astype(ft, copy=False)
    return np.clip(out, 0, bound).astype(arr.dtype)


def _channels(arr):
    return 1 if arr.ndim == 2 else arr.shape[-3]


def _check_rgb_or_gray(arr):
    c = _channels(arr)
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {c}")
    return c


def adjust_brightness(img, brightness_factor):
    """Multiply by ``brightness_factor`` (0 black, 1 unchanged)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if not _check_img(img):
        return F_pil.adjust_brightness(img, brightness_factor)
    arr = _np(img)
    _check_rgb_or_gray(arr)
    return _wrap(_blend(arr, np.zeros_like(arr), brightness_factor))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level (0 solid grey, 1 unchanged)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if not _check_img(img):
        return F_pil.adjust_contrast(img, contrast_factor)
    arr = _np(img)
    c = _check_rgb_or_gray(arr)
    ft = arr.dtype.type if np.issubdtype(arr.dtype, np.floating) else np.float32
    gray = F_t.rgb_to_grayscale(arr) if c == 3 else arr
    mean = gray.astype(ft).mean(axis=(-3, -2, -1), keepdims=True, dtype=ft)
    return _wrap(_blend(arr, mean, contrast_factor))


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image (0 grey, 1 unchanged, 2 doubled saturation)."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if not _check_img(img):
        return F_pil.adjust_saturation(img, saturation_factor)
    arr = _np(img)
    if _check_rgb_or_gray(arr) == 1:
        return img
    return _wrap(_blend(arr, F_t.rgb_to_grayscale(arr), saturation_factor))


def adjust_hue(img, hue_factor):
    """Rotate the hue by ``hue_factor`` turns, in [-0.5, 0.5]."""
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not _check_img(img):
        return F_pil.adjust_hue(img, hue_factor)
    arr = _np(img)
    if _check_rgb_or_gray(arr) == 1:
        return img
    from ... import float32
    orig_dtype = img.dtype
    x = _np(convert_image_dtype(img, float32))
    hsv = F_t.rgb2hsv(x)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    out = _wrap(F_t.hsv2rgb(hsv))
    return convert_image_dtype(out, orig_dtype)


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` with 1 or 3 output channels."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if not _check_img(img):
        return F_pil.to_grayscale(img, num_output_channels)
    arr = _np(img)
    c = _check_rgb_or_gray(arr)
    gray = F_t.rgb_to_grayscale(arr) if c == 3 else arr.copy()
    if num_output_channels == 3:
        gray = np.concatenate([gray] * 3, axis=-3)
    return _wrap(gray)


to_grayscale = rgb_to_grayscale
