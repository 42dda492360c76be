"""Decoding one image file into a ``(C, H, W)`` array, as fast as it can be.

Two decoders, one result:

- JPEG files go through libjpeg-turbo directly when the optional
  ``simplejpeg`` is installed (``pip install skimbalance[fast]``): no Pillow
  image object, and when a resize follows, a decode at the smallest of the
  JPEG's M/8 scales that still covers the target (DCT scaling). It decodes
  with the same library and settings as Pillow (accurate DCT, fancy
  upsampling), so a full-size decode gives the same pixels.
- Everything else, and every JPEG without ``simplejpeg`` (or with an EXIF
  rotation, CMYK, or anything it refuses), goes through Pillow, whose JPEG
  draft mode decodes at 1/2, 1/4 or 1/8 before a resize. Where libjpeg-turbo
  takes a scale Pillow lacks (3/8 of a 250-pixel photo for 64x64), the two
  resized images differ by 1-3 of 255 on average: train and predict with the
  same decoder installed for identical pixels.

Both apply the EXIF orientation of a photo (a phone's portrait shot comes out
upright), convert 16-bit grey-scale to 8 bits by its high byte (not by
clipping) and 8-bit files to 16 bits by x257 (so that both fill the range under
``mode="I;16"``), then resize by the policy (:data:`RESIZE_POLICIES`). Errors
name the file.
"""

import os
import stat

import numpy as np

try:  # optional: libjpeg-turbo without Pillow's overhead
    import simplejpeg
except ImportError:  # pragma: no cover - exercised where it is not installed
    simplejpeg = None

__all__ = ["RESIZE_POLICIES", "decode_image", "read_header"]

#: How an image of another aspect ratio is brought to ``image_size``:
#: stretched, letterboxed with black, or cut to the aspect at its centre.
RESIZE_POLICIES = ("squash", "pad", "crop")
#: Pillow modes of 16-bit (or wider) grey-scale images.
GREY_16_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})
_EXIF_ORIENTATION = 0x0112
_TRANSPOSED = (5, 6, 7, 8)  # orientations that swap width and height
_JPEG_MAGIC = b"\xff\xd8"


def read_header(path):
    """``(height, width, mode)`` of an image file as it will be decoded
    (upright: EXIF rotations swap the two), reading its header only.

    Raises
    ------
    OSError
        Naming the file, when it is not a regular file or not an image
        Pillow reads (including a decompression bomb).
    """
    from PIL import Image, UnidentifiedImageError

    _check_regular(path)
    try:
        with Image.open(path) as image:
            width, height = image.size
            mode = image.mode
            if _orientation(image) in _TRANSPOSED:
                width, height = height, width
    except (
        OSError,
        UnidentifiedImageError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise OSError(f"Cannot read image '{path}': {exc}") from exc
    return height, width, mode


def decode_image(path, *, mode, size, resize):
    """One image file as a ``(C, H, W)`` array.

    Parameters
    ----------
    path : str
        The file.
    mode : {"L", "RGB", "RGBA", "I;16"}
        The Pillow mode of the result (uint8, or uint16 for "I;16").
    size : (height, width)
        The size of the result.
    resize : {"squash", "pad", "crop"} or None
        How an image of another size gets there; None refuses other sizes.

    Returns
    -------
    pixels : ndarray of shape (C, height, width)

    Raises
    ------
    OSError
        Naming the file, when it cannot be read or decoded.
    ValueError
        Naming the file, when its size differs and ``resize`` is None.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        pixels = None
        if simplejpeg is not None and mode in ("L", "RGB"):
            pixels = _decode_jpeg(path, mode, size, resize)
        if pixels is None:
            pixels = _decode_pillow(path, mode, size, resize)
    except (
        OSError,
        UnidentifiedImageError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise OSError(f"Cannot decode image '{path}': {exc}") from exc
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def _check_regular(path):
    """An OSError unless ``path`` is a regular file (a FIFO would block the
    reader forever, a device would never end)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise OSError(f"'{path}' is not a regular file (a FIFO, device or socket)")


def _orientation(image):
    """The EXIF orientation of an opened image (1: as stored). A PNG's is
    read only from an eXIf chunk before the pixels: to find a later one,
    Pillow decodes the whole file, which would turn every header read into a
    decode (PNG files with such a chunk are read as stored, consistently)."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # a damaged EXIF block: read the pixels as stored
        return 1


def _decode_jpeg(path, mode, size, resize):
    """The libjpeg-turbo path; None when the file is not a plain JPEG it can
    take (not a JPEG, rotated by EXIF, CMYK or damaged: Pillow decides)."""
    data = _read_regular(path)
    if not data.startswith(_JPEG_MAGIC) or _jpeg_orientation(data) != 1:
        return None
    height, width = size
    # with a resize to follow, decode at the smallest M/8 scale covering it
    # (libjpeg-turbo has 3/8, 5/8, ...: a finer choice than Pillow's draft)
    cover = {"min_height": height, "min_width": width} if resize else {}
    try:
        pixels = simplejpeg.decode_jpeg(
            data, colorspace="GRAY" if mode == "L" else "RGB", **cover
        )
    except ValueError:
        return None
    if pixels.shape[:2] != (height, width):  # (H, W, 1) or (H, W, 3)
        if resize is None:
            _wrong_size(path, pixels.shape[:2], size)
        if resize == "squash":
            return _squash(pixels, size)
        from PIL import Image

        image = Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels)
        return np.asarray(_resized(image, size, resize))
    return pixels


def _squash(pixels, size):
    """An 8-bit ``(H, W, C)`` array resized to ``size`` by torch's uint8
    kernel: Pillow's antialiased bilinear filter (within 1 of its values)
    without a Pillow image around it; on an RGB photo's reduced-scale decode
    in about 60 % of Pillow's time."""
    import torch

    image = torch.from_numpy(pixels).permute(2, 0, 1)[None]  # channels-last
    out = torch.nn.functional.interpolate(
        image, size=size, mode="bilinear", antialias=True, align_corners=False
    )
    return out[0].permute(1, 2, 0).numpy()


def _read_regular(path):
    """The bytes of ``path``, opened without blocking so that a FIFO is
    refused (an OSError naming it) instead of waited on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"'{path}' is not a regular file (a FIFO, device or socket)")
        size = info.st_size
        data = os.read(fd, size + 1)  # one call reads it all, as a rule
        if len(data) <= size:
            return data
        chunks = [data]  # the file grew since fstat
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _decode_pillow(path, mode, size, resize):
    from PIL import Image, ImageOps

    _check_regular(path)
    height, width = size
    with Image.open(path) as image:
        orientation = _orientation(image)
        stored = (width, height)
        if orientation in _TRANSPOSED:
            stored = (height, width)
        if image.size != stored and resize is None:
            shown = image.size[::-1] if orientation not in _TRANSPOSED else image.size
            _wrong_size(path, shown, size)
        if image.format == "JPEG" and image.size != stored:
            # decode at the smallest 1/8 scale whose both sides cover the target
            image.draft(image.mode if image.mode in ("L", "RGB") else None, stored)
        if orientation != 1:
            image = ImageOps.exif_transpose(image)
        image = _converted(image, mode)
        if image.size != (width, height):
            image = _resized(image, size, resize)
        pixels = np.asarray(image)
    if mode == "I;16" and pixels.dtype != np.uint16:
        pixels = pixels.astype(np.uint16)
    return pixels


def _converted(image, mode):
    """``image`` in ``mode``, keeping the range: 16-bit grey-scale to 8 bits by
    its high byte, 8-bit images to 16 bits by x257."""
    from PIL import Image

    if image.mode == mode:
        return image
    if image.mode in GREY_16_MODES:
        high = np.clip(np.asarray(image), 0, 65535).astype(np.uint16)
        if mode == "I;16":
            return Image.fromarray(high)
        eight = Image.fromarray((high >> 8).astype(np.uint8))
        return eight if mode == "L" else eight.convert(mode)
    if mode == "I;16":
        grey = np.asarray(image.convert("L")).astype(np.uint16) * 257
        return Image.fromarray(grey)
    return image.convert(mode)


def _resized(image, size, policy):
    """``image`` brought to ``size`` (height, width) by a resize ``policy``."""
    from PIL import Image, ImageOps

    height, width = size
    method = Image.Resampling.BILINEAR
    if policy == "pad":
        return ImageOps.pad(image, (width, height), method=method, color=0)
    if policy == "crop":
        return ImageOps.fit(image, (width, height), method=method)
    return image.resize((width, height), method)


def _wrong_size(path, found, size):
    raise ValueError(
        f"Image '{path}' is {found[0]}x{found[1]} (height x width), not "
        f"{size[0]}x{size[1]} like the others; pass image_size= to resize "
        "every image."
    )


def _jpeg_orientation(data):
    """The EXIF orientation tag of a JPEG's bytes (1 when absent), read from
    its APP1 segment without decoding anything."""
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
        if marker in (0xDA, 0xD9):  # start of scan: no EXIF before the pixels
            return 1
        segment = data[i + 4 : i + 2 + length]
        if marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            return _tiff_orientation(segment[6:])
        i += 2 + length
    return 1


def _tiff_orientation(tiff):
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order = "little" if tiff[:2] == b"II" else "big"
    offset = int.from_bytes(tiff[4:8], order)
    if offset + 2 > len(tiff):
        return 1
    count = int.from_bytes(tiff[offset : offset + 2], order)
    for k in range(count):
        entry = tiff[offset + 2 + 12 * k : offset + 14 + 12 * k]
        if len(entry) < 12:
            return 1
        if int.from_bytes(entry[:2], order) == _EXIF_ORIENTATION:
            value = int.from_bytes(entry[8:10], order)
            return value if 1 <= value <= 8 else 1
    return 1
