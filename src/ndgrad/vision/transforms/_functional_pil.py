"""PIL image kernels (torchvision's ``_functional_pil``). Pillow is imported lazily."""
import numpy as np

__all__ = ["require_pil", "is_pil_image"]


def require_pil(what="this operation"):
    """Import PIL.Image, or raise an ImportError that says how to install it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{what} needs Pillow, an optional dependency of ndgrad.vision; install it with "
                          "`pip install pillow` (or `pip install ndgrad[vision]`), or pass tensor images") from None
    return Image


def is_pil_image(img):
    """True for a PIL image, without importing Pillow when it was never imported."""
    import sys
    pil = sys.modules.get("PIL.Image")
    return pil is not None and isinstance(img, pil.Image)


def get_dimensions(img):
    channels = len(img.getbands())
    width, height = img.size
    return [channels, height, width]


def resize(img, size, interpolation):
    return img.resize(tuple(size[::-1]), interpolation)


def crop(img, top, left, height, width):
    return img.crop((left, top, left + width, top + height))


def hflip(img):
    Image = require_pil()
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    Image = require_pil()
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def _parse_fill(fill, img):
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * bands
        if len(fill) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of channels of the image "
                             f"({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def pad(img, left, top, right, bottom, fill=0, padding_mode="constant"):
    Image = require_pil()
    if padding_mode == "constant":
        if min(left, top, right, bottom) < 0:
            w, h = img.size
            img = img.crop((max(-left, 0), max(-top, 0), w - max(-right, 0), h - max(-bottom, 0)))
            left, top, right, bottom = (max(v, 0) for v in (left, top, right, bottom))
        w, h = img.size
        out = Image.new(img.mode, (w + left + right, h + top + bottom), _parse_fill(fill, img))
        if img.mode == "P" and img.getpalette() is not None:
            out.putpalette(img.getpalette())
        out.paste(img, (left, top))
        return out
    from . import _functional_tensor as F_t
    arr = np.asarray(img)
    palette = img.getpalette() if img.mode == "P" else None
    chw = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
    chw = F_t.pad(chw, left, top, right, bottom, mode=padding_mode)
    arr = chw[0] if arr.ndim == 2 else chw.transpose(1, 2, 0)
    out = Image.frombytes(img.mode, (arr.shape[1], arr.shape[0]), np.ascontiguousarray(arr).tobytes())
    if palette is not None:
        out.putpalette(palette)
    return out


def adjust_brightness(img, factor):
    from PIL import ImageEnhance
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img, factor):
    from PIL import ImageEnhance
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img, factor):
    from PIL import ImageEnhance
    return ImageEnhance.Color(img).enhance(factor)


def adjust_hue(img, hue_factor):
    Image = require_pil()
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    # uint8 wrap-around is the intended hue rotation
    np_h = ((np_h.astype(np.int16) + int(np.int8(hue_factor * 255))) % 256).astype(np.uint8)
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def to_grayscale(img, num_output_channels):
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        Image = require_pil()
        gray = np.array(img.convert("L"), dtype=np.uint8)
        return Image.fromarray(np.dstack([gray, gray, gray]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")
