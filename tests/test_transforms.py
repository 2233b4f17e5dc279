"""ndgrad.vision.transforms against torch (tensor images) and Pillow (PIL images).

torchvision is not installed: its tensor kernels are ``torch.nn.functional.interpolate`` and a few
lines of torch per colour adjustment, re-written here (``tv_*``) from torchvision's
``_functional_tensor``; PIL images are processed by Pillow itself in both libraries.
"""
import sys

import numpy as np
import pytest
import torch

import ndgrad
from ndgrad.vision import transforms as T
from ndgrad.vision.transforms import functional as F

PIL = pytest.importorskip("PIL")
from PIL import Image, ImageEnhance  # noqa: E402

RNG = np.random.default_rng(0)


def nd(x):
    return ndgrad.from_numpy(np.ascontiguousarray(x))


def rgb_image(h=30, w=40, seed=0):
    arr = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    return Image.fromarray(arr), arr


# ---- torch versions of torchvision's tensor formulas ---------------------------------------------

def tv_resize(x, size, mode, antialias):
    t = torch.from_numpy(x)
    dtype = t.dtype
    if dtype not in (torch.float32, torch.float64):
        t = t.float()
    kw = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    out = torch.nn.functional.interpolate(t, size=size, mode=mode, antialias=antialias, **kw)
    if dtype not in (torch.float32, torch.float64):
        if mode == "bicubic" and dtype == torch.uint8:
            out = out.clamp(0, 255)
        out = torch.round(out).to(dtype)
    return out.numpy()


def tv_max(dtype):
    return 1.0 if dtype.is_floating_point else torch.iinfo(dtype).max


def tv_blend(img1, img2, ratio):
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, tv_max(img1.dtype)).to(img1.dtype)


def tv_gray(img):
    r, g, b = img.unbind(dim=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)


def tv_contrast(img, f):
    dtype = img.dtype if torch.is_floating_point(img) else torch.float32
    mean = torch.mean(tv_gray(img).to(dtype), dim=(-3, -2, -1), keepdim=True)
    return tv_blend(img, mean, f)


def tv_rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    cr_divisor = torch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod(((hr + hg + hb) / 6.0 + 1.0), 1.0)
    return torch.stack((h, s, maxc), dim=-3)


def tv_hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.to(dtype=torch.int32)
    p = torch.clamp((v * (1.0 - s)), 0.0, 1.0)
    q = torch.clamp((v * (1.0 - s * f)), 0.0, 1.0)
    t = torch.clamp((v * (1.0 - s * (1.0 - f))), 0.0, 1.0)
    i = i % 6
    mask = i.unsqueeze(dim=-3) == torch.arange(6).view(-1, 1, 1)
    a1 = torch.stack((v, q, p, p, t, v), dim=-3)
    a2 = torch.stack((t, v, v, q, p, p), dim=-3)
    a3 = torch.stack((p, p, t, v, v, q), dim=-3)
    a4 = torch.stack((a1, a2, a3), dim=-4)
    return torch.einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)


def tv_convert(img, dtype):
    if img.dtype == dtype:
        return img
    if img.is_floating_point():
        if dtype.is_floating_point:
            return img.to(dtype)
        return img.mul(tv_max(dtype) + 1.0 - 1e-3).to(dtype)
    if dtype.is_floating_point:
        return img.to(dtype) / tv_max(img.dtype)
    raise NotImplementedError


def tv_hue(img, hue_factor):
    orig = img.dtype
    x = tv_convert(img, torch.float32)
    h, s, v = tv_rgb2hsv(x).unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    return tv_convert(tv_hsv2rgb(torch.stack((h, s, v), dim=-3)), orig)


# ---- resize ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("sizes", [((37, 50), (20, 13)), ((20, 13), (37, 50)), ((64, 48), (32, 24)), ((9, 9), (9, 25))])
def test_resize_tensor_matches_torch_interpolate(mode, antialias, sizes):
    (h, w), out = sizes
    x = RNG.random((2, 3, h, w), dtype=np.float32)
    expected = tv_resize(x, out, mode, antialias and mode in ("bilinear", "bicubic"))
    got = F.resize(nd(x), list(out), F.InterpolationMode(mode), antialias=antialias)
    assert got.dtype == ndgrad.float32 and tuple(got.shape) == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=0, atol=5e-6)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "nearest"])
def test_resize_uint8_and_float64_tensors(mode):
    x = RNG.integers(0, 256, (3, 31, 45), dtype=np.uint8)
    expected = tv_resize(x[None], (16, 20), mode, mode != "nearest")[0]
    got = F.resize(nd(x), [16, 20], F.InterpolationMode(mode)).numpy()
    assert got.dtype == np.uint8
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1  # .5 ties may round apart
    assert (got != expected).mean() < 0.01
    x64 = RNG.random((1, 2, 10, 12))
    got64 = F.resize(nd(x64), [7, 5], F.InterpolationMode(mode))
    assert got64.dtype == ndgrad.float64
    np.testing.assert_allclose(got64.numpy(), tv_resize(x64, (7, 5), mode, mode != "nearest"), atol=1e-12)


def test_resize_output_sizes():
    x = nd(RNG.random((3, 30, 40), dtype=np.float32))
    assert F.resize(x, 15).shape == (3, 15, 20)  # smaller edge
    assert F.resize(x, [15]).shape == (3, 15, 20)
    assert F.resize(x, [10, 10]).shape == (3, 10, 10)
    assert F.resize(x, 20, max_size=24).shape == (3, 18, 24)
    assert F.resize(x, (30, 40)) is x  # same size: unchanged
    tall = nd(RNG.random((1, 50, 20), dtype=np.float32))
    assert F.resize(tall, 10).shape == (1, 25, 10)
    with pytest.raises(ValueError, match="max_size should only be passed if size specifies the length of the smaller"):
        F.resize(x, [10, 10], max_size=20)
    with pytest.raises(ValueError, match="must be strictly greater than the requested size"):
        F.resize(x, 20, max_size=20)
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="Interpolation mode 'lanczos' is unsupported for tensor images"):
        F.resize(x, 10, F.InterpolationMode.LANCZOS)
    pil, _ = rgb_image(30, 40)
    assert F.resize(pil, 15).size == (20, 15)


def test_resize_pil_is_pillows_resize():
    pil, _ = rgb_image(33, 47)
    for mode, pil_mode in [(F.InterpolationMode.BILINEAR, Image.BILINEAR), (F.InterpolationMode.BICUBIC, Image.BICUBIC),
                           (F.InterpolationMode.NEAREST, Image.NEAREST), (F.InterpolationMode.LANCZOS, Image.LANCZOS)]:
        got = F.resize(pil, [20, 30], mode)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(pil.resize((30, 20), pil_mode)))
    with pytest.warns(UserWarning, match="Anti-alias option is always applied for PIL Image input"):
        F.resize(pil, 10, antialias=False)
    # PIL's antialiased bilinear and the tensor kernel agree up to PIL's 8-bit rounding
    t = F.resize(F.pil_to_tensor(pil), [20, 30]).numpy().astype(int)
    p = np.asarray(F.resize(pil, [20, 30])).transpose(2, 0, 1).astype(int)
    assert np.abs(t - p).max() <= 2


# ---- conversion -----------------------------------------------------------------------------------

def test_to_tensor_and_pil_to_tensor():
    pil, arr = rgb_image()
    t = F.to_tensor(pil)
    assert t.dtype == ndgrad.float32 and t.shape == (3, 30, 40)
    np.testing.assert_allclose(t.numpy(), arr.transpose(2, 0, 1).astype(np.float32) / 255, rtol=0, atol=0)
    np.testing.assert_array_equal(F.to_tensor(arr).numpy(), t.numpy())
    gray = F.to_tensor(pil.convert("L"))
    assert gray.shape == (1, 30, 40)
    floats = RNG.random((4, 5, 2)).astype(np.float32)
    np.testing.assert_array_equal(F.to_tensor(floats).numpy(), floats.transpose(2, 0, 1))  # no scaling
    u = F.pil_to_tensor(pil)
    assert u.dtype == ndgrad.uint8 and u.shape == (3, 30, 40)
    np.testing.assert_array_equal(u.numpy(), arr.transpose(2, 0, 1))
    assert T.ToTensor()(pil).shape == (3, 30, 40) and T.PILToTensor()(pil).dtype == ndgrad.uint8
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        F.pil_to_tensor(arr)


def test_to_pil_image_round_trip():
    pil, arr = rgb_image()
    back = F.to_pil_image(F.pil_to_tensor(pil))
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), arr)
    back_f = T.ToPILImage()(F.to_tensor(pil))
    assert np.abs(np.asarray(back_f).astype(int) - arr).max() <= 1
    assert F.to_pil_image(nd(arr[:, :, 0].copy())).mode == "L"
    assert F.to_pil_image(arr).mode == "RGB"


def test_convert_image_dtype():
    u8 = RNG.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    f = F.convert_image_dtype(nd(u8))
    np.testing.assert_array_equal(f.numpy(), tv_convert(torch.from_numpy(u8), torch.float32).numpy())
    x = RNG.random((3, 4, 5), dtype=np.float32)
    x[0, 0, 0] = 1.0
    back = F.convert_image_dtype(nd(x), ndgrad.uint8)
    np.testing.assert_array_equal(back.numpy(), tv_convert(torch.from_numpy(x), torch.uint8).numpy())
    assert back.numpy()[0, 0, 0] == 255
    assert F.convert_image_dtype(nd(x), ndgrad.float64).dtype == ndgrad.float64
    i32 = F.convert_image_dtype(nd(u8), ndgrad.int32)
    np.testing.assert_array_equal(i32.numpy(), u8.astype(np.int32) * 2 ** 23)
    np.testing.assert_array_equal(F.convert_image_dtype(i32, ndgrad.uint8).numpy(), u8)
    with pytest.raises(RuntimeError, match="The cast from torch.float32 to torch.int32 cannot be performed safely."):
        F.convert_image_dtype(nd(x), ndgrad.int32)
    assert T.ConvertImageDtype(ndgrad.float32)(nd(u8)).dtype == ndgrad.float32


def test_normalize_matches_torch_and_is_differentiable():
    x = RNG.random((2, 3, 5, 6), dtype=np.float32)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    t = torch.from_numpy(x)
    expected = ((t - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)).numpy()
    got = F.normalize(nd(x), mean, std)
    assert got.dtype == ndgrad.float32
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-6)
    leaf = ndgrad.tensor(x, requires_grad=True)
    F.normalize(leaf, mean, std).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), np.broadcast_to((1 / np.float32(std)).reshape(3, 1, 1), x.shape),
                               rtol=1e-6)
    inplace = nd(x.copy())
    assert F.normalize(inplace, mean, std, inplace=True) is inplace
    np.testing.assert_allclose(inplace.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert repr(T.Normalize(mean, std)) == f"Normalize(mean={mean}, std={std})"
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        F.normalize(nd(np.zeros((3, 2, 2), np.uint8)), mean, std)
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to torch.float32"):
        F.normalize(nd(x[0]), mean, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image of size \\(..., C, H, W\\)"):
        F.normalize(nd(x[0, 0]), [0.5], [0.5])


# ---- geometry -------------------------------------------------------------------------------------

def test_center_crop_tensor_and_pil_agree():
    pil, arr = rgb_image(31, 40)
    for size in [10, (7, 12), [20], (31, 40)]:
        t = F.center_crop(F.pil_to_tensor(pil), size).numpy()
        p = F.pil_to_tensor(F.center_crop(pil, size)).numpy()
        np.testing.assert_array_equal(t, p)
    t = F.center_crop(F.pil_to_tensor(pil), 10).numpy()
    np.testing.assert_array_equal(t, arr.transpose(2, 0, 1)[:, 10:20, 15:25])  # round((31-10)/2) = 10
    big = F.center_crop(nd(arr.transpose(2, 0, 1).copy()), (35, 45))
    assert big.shape == (3, 35, 45)
    np.testing.assert_array_equal(big.numpy()[:, 2:33, 2:42], arr.transpose(2, 0, 1))
    assert big.numpy()[:, :2].sum() == 0 and big.numpy()[:, 33:].sum() == 0
    np.testing.assert_array_equal(F.pil_to_tensor(F.center_crop(pil, (35, 45))).numpy(), big.numpy())
    assert repr(T.CenterCrop(5)) == "CenterCrop(size=(5, 5))"


def test_crop_outside_the_image_is_zero_padded():
    x = RNG.random((1, 4, 5), dtype=np.float32)
    out = F.crop(nd(x), -1, 3, 3, 4).numpy()
    assert out.shape == (1, 3, 4)
    np.testing.assert_array_equal(out[:, 1:, :2], x[:, :2, 3:])
    assert np.all(out[:, 0] == 0) and np.all(out[:, :, 2:] == 0)


@pytest.mark.parametrize("mode,torch_mode", [("constant", "constant"), ("edge", "replicate"), ("reflect", "reflect")])
def test_pad_matches_torch(mode, torch_mode):
    x = RNG.random((2, 3, 5, 6), dtype=np.float32)
    kw = {"value": 0.5} if mode == "constant" else {}
    expected = torch.nn.functional.pad(torch.from_numpy(x), (1, 3, 2, 4), mode=torch_mode, **kw).numpy()
    got = F.pad(nd(x), [1, 2, 3, 4], fill=0.5, padding_mode=mode).numpy()
    np.testing.assert_array_equal(got, expected)
    sym = F.pad(nd(x), 2, padding_mode="symmetric").numpy()
    np.testing.assert_array_equal(sym, np.pad(x, [(0, 0), (0, 0), (2, 2), (2, 2)], mode="symmetric"))
    pil, arr = rgb_image(5, 6)
    padded = F.pad(pil, [1, 2], padding_mode=mode, fill=7)
    expected_np = F.pad(nd(arr.transpose(2, 0, 1).copy()), [1, 2], fill=7, padding_mode=mode).numpy()
    np.testing.assert_array_equal(F.pil_to_tensor(padded).numpy(), expected_np)


def test_flips():
    x = RNG.random((2, 3, 4, 5), dtype=np.float32)
    np.testing.assert_array_equal(F.hflip(nd(x)).numpy(), torch.from_numpy(x).flip(-1).numpy())
    np.testing.assert_array_equal(F.vflip(nd(x)).numpy(), torch.from_numpy(x).flip(-2).numpy())
    pil, arr = rgb_image()
    np.testing.assert_array_equal(np.asarray(F.hflip(pil)), arr[:, ::-1])
    assert T.RandomHorizontalFlip(p=1.0)(nd(x)).numpy()[..., 0].tolist() == x[..., -1].tolist()
    assert T.RandomHorizontalFlip(p=0.0)(nd(x)).numpy().tolist() == x.tolist()
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(nd(x)).numpy(), x[..., ::-1, :])


def test_random_crop():
    ndgrad.manual_seed(0)
    x = RNG.random((3, 10, 12), dtype=np.float32)
    crop = T.RandomCrop(4)
    seen = set()
    for _ in range(20):
        out = crop(nd(x)).numpy()
        assert out.shape == (3, 4, 4)
        # the output is a window of the input
        matches = [(i, j) for i in range(7) for j in range(9) if np.array_equal(x[:, i:i + 4, j:j + 4], out)]
        assert matches
        seen.add(matches[0])
    assert len(seen) > 5
    ndgrad.manual_seed(1)
    a = crop(nd(x)).numpy()
    ndgrad.manual_seed(1)
    np.testing.assert_array_equal(crop(nd(x)).numpy(), a)
    assert T.RandomCrop(12, padding=2)(nd(x)).shape == (3, 12, 12)
    assert T.RandomCrop((14, 15), pad_if_needed=True)(nd(x)).shape == (3, 14, 15)
    with pytest.raises(ValueError, match="Required crop size \\(14, 15\\) is larger than input image size "
                                         "\\(10, 12\\)"):
        T.RandomCrop((14, 15))(nd(x))
    pil, _ = rgb_image()
    assert T.RandomCrop(8, padding=4, padding_mode="reflect")(pil).size == (8, 8)
    assert repr(T.RandomCrop(4, padding=1)) == "RandomCrop(size=(4, 4), padding=1)"


def test_random_resized_crop():
    ndgrad.manual_seed(0)
    x = RNG.random((3, 40, 60), dtype=np.float32)
    rrc = T.RandomResizedCrop(16)
    for _ in range(10):
        i, j, h, w = T.RandomResizedCrop.get_params(nd(x), rrc.scale, rrc.ratio)
        assert 0 <= i and i + h <= 40 and 0 <= j and j + w <= 60
        assert 0.08 * 2400 * 0.8 <= h * w <= 2400
        assert rrc(nd(x)).shape == (3, 16, 16)
    # impossible scale/ratio: the central-crop fallback
    assert T.RandomResizedCrop.get_params(nd(x), (2.0, 3.0), (1.0, 1.0)) == (0, 10, 40, 40)
    out = F.resized_crop(nd(x), 5, 6, 20, 30, [10, 15])
    np.testing.assert_allclose(out.numpy(), tv_resize(x[None, :, 5:25, 6:36], (10, 15), "bilinear", True)[0],
                               atol=5e-6)
    pil, _ = rgb_image()
    assert T.RandomResizedCrop((8, 9))(pil).size == (9, 8)
    assert repr(rrc) == ("RandomResizedCrop(size=(16, 16), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
                         "interpolation=bilinear, antialias=True)")


# ---- colour ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_color_adjustments_match_torchvision_formulas(dtype):
    if dtype == np.uint8:
        x = RNG.integers(0, 256, (2, 3, 6, 7), dtype=np.uint8)
    else:
        x = RNG.random((2, 3, 6, 7), dtype=np.float32)
    t = torch.from_numpy(x)
    for f in [0.0, 0.4, 1.0, 1.7]:
        np.testing.assert_array_equal(F.adjust_brightness(nd(x), f).numpy(),
                                      tv_blend(t, torch.zeros_like(t), f).numpy())
        np.testing.assert_allclose(F.adjust_contrast(nd(x), f).numpy().astype(float),
                                   tv_contrast(t, f).numpy().astype(float), atol=1 if dtype == np.uint8 else 1e-6)
        np.testing.assert_allclose(F.adjust_saturation(nd(x), f).numpy().astype(float),
                                   tv_blend(t, tv_gray(t), f).numpy().astype(float),
                                   atol=1 if dtype == np.uint8 else 1e-6)
    for h in [-0.5, -0.2, 0.0, 0.3, 0.5]:
        got = F.adjust_hue(nd(x), h).numpy().astype(float)
        np.testing.assert_allclose(got, tv_hue(t, h).numpy().astype(float), atol=1 if dtype == np.uint8 else 1e-5)
    np.testing.assert_array_equal(F.rgb_to_grayscale(nd(x)).numpy(), tv_gray(t).numpy())
    assert F.rgb_to_grayscale(nd(x), 3).shape == (2, 3, 6, 7)
    with pytest.raises(ValueError, match="hue_factor \\(0.7\\) is not in \\[-0.5, 0.5\\]."):
        F.adjust_hue(nd(x), 0.7)
    with pytest.raises(ValueError, match="brightness_factor \\(-1\\) is not non-negative."):
        F.adjust_brightness(nd(x), -1)


def test_color_adjustments_on_pil_use_pillow():
    pil, _ = rgb_image()
    np.testing.assert_array_equal(np.asarray(F.adjust_brightness(pil, 1.3)),
                                  np.asarray(ImageEnhance.Brightness(pil).enhance(1.3)))
    np.testing.assert_array_equal(np.asarray(F.adjust_contrast(pil, 0.5)),
                                  np.asarray(ImageEnhance.Contrast(pil).enhance(0.5)))
    np.testing.assert_array_equal(np.asarray(F.adjust_saturation(pil, 0.2)),
                                  np.asarray(ImageEnhance.Color(pil).enhance(0.2)))
    shifted = F.adjust_hue(pil, 0.25)
    assert shifted.mode == "RGB" and shifted.size == pil.size
    h_in = np.asarray(pil.convert("HSV"))[..., 0].astype(int)
    h_out = np.asarray(shifted.convert("HSV"))[..., 0].astype(int)
    assert np.median((h_out - h_in) % 256) == pytest.approx(63, abs=3)
    assert F.adjust_hue(pil.convert("L"), 0.3).mode == "L"
    assert T.Grayscale(3)(pil).mode == "RGB" and T.Grayscale()(pil).mode == "L"


def test_color_jitter():
    cj = T.ColorJitter(brightness=0.5, contrast=(0.2, 1.5), saturation=0, hue=0.1)
    assert cj.brightness == (0.5, 1.5) and cj.contrast == (0.2, 1.5) and cj.saturation is None
    assert cj.hue == (-0.1, 0.1)
    assert repr(cj) == "ColorJitter(brightness=(0.5, 1.5), contrast=(0.2, 1.5), saturation=None, hue=(-0.1, 0.1))"
    ndgrad.manual_seed(0)
    for _ in range(10):
        order, b, c, s, h = T.ColorJitter.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
        assert sorted(order.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and 0.2 <= c <= 1.5 and s is None and -0.1 <= h <= 0.1
    x = RNG.integers(0, 256, (3, 8, 8), dtype=np.uint8)
    ndgrad.manual_seed(3)
    a = cj(nd(x)).numpy()
    ndgrad.manual_seed(3)
    np.testing.assert_array_equal(cj(nd(x)).numpy(), a)
    pil, _ = rgb_image()
    assert cj(pil).size == pil.size
    assert T.ColorJitter(brightness=1.5).brightness == (0.0, 2.5)
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non negative."):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match="hue values should be between \\(-0.5, 0.5\\), but got \\[-0.7, 0.7\\]."):
        T.ColorJitter(hue=0.7)
    with pytest.raises(TypeError, match="contrast should be a single number or a list/tuple with length 2."):
        T.ColorJitter(contrast=[1, 2, 3])


# ---- composition and presets ----------------------------------------------------------------------

def test_compose_lambda_and_reprs():
    tf = T.Compose([T.Resize(8), T.CenterCrop(6), T.Lambda(lambda t: t * 2)])
    x = nd(RNG.random((3, 10, 12), dtype=np.float32))
    assert tf(x).shape == (3, 6, 6)
    assert repr(tf) == ("Compose(\n    Resize(size=8, interpolation=bilinear, max_size=None, antialias=True)\n"
                        "    CenterCrop(size=(6, 6))\n    Lambda()\n)")
    assert repr(T.ToTensor()) == "ToTensor()" and repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_imagenet_preset_on_tensors_matches_torch_pipeline():
    from ndgrad.vision.models import ResNet50_Weights
    preset = ResNet50_Weights.IMAGENET1K_V2.transforms()  # resize 232, crop 224
    x = np.random.default_rng(442).integers(0, 256, (2, 3, 240, 300), dtype=np.uint8)
    got = preset(nd(x)).numpy()
    r = torch.from_numpy(tv_resize(x, (232, 290), "bilinear", True))
    top, left = int(round((232 - 224) / 2.0)), int(round((290 - 224) / 2.0))
    c = r[..., top:top + 224, left:left + 224]
    mean, std = torch.tensor([0.485, 0.456, 0.406]).view(-1, 1, 1), torch.tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
    expected = ((c.float() / 255) - mean) / std
    assert got.shape == (2, 3, 224, 224) and got.dtype == np.float32
    # torchvision resizes uint8 in fixed point: about 0.1% of the values land one level apart
    assert np.abs(got - expected.numpy()).max() <= 1.01 / 255 / 0.224
    assert np.mean(np.abs(got - expected.numpy()) < 1e-5) > 0.998


def test_imagenet_preset_on_pil_images():
    from ndgrad.vision.models import ResNet18_Weights
    preset = ResNet18_Weights.DEFAULT.transforms()
    pil, _ = rgb_image(300, 260)
    out = preset(pil)
    assert out.shape == (3, 224, 224) and out.dtype == ndgrad.float32
    resized = pil.resize((256, int(256 * 300 / 260)), Image.BILINEAR)
    w, h = resized.size
    top, left = int(round((h - 224) / 2.0)), int(round((w - 224) / 2.0))
    arr = np.asarray(resized.crop((left, top, left + 224, top + 224))).astype(np.float32).transpose(2, 0, 1) / 255
    mean = np.float32([0.485, 0.456, 0.406]).reshape(3, 1, 1)
    expected = (arr - mean) / np.float32([0.229, 0.224, 0.225]).reshape(3, 1, 1)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-5)


def test_missing_pillow_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match="needs Pillow.*pip install pillow"):
        F.to_pil_image(nd(np.zeros((3, 2, 2), np.uint8)))
    # tensor transforms do not need it
    assert F.resize(nd(np.zeros((3, 4, 4), np.float32)), 2).shape == (3, 2, 2)
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        F.resize(np.zeros((4, 4)), 2)
