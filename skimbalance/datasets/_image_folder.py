"""``load_image_folder``: one subfolder of image files per class, as a lazy array."""

import os
import stat
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._image_array import ImageArray, check_image_size, check_mode, check_resize
from ._image_cache import open_cache
from ._image_files import FileNames, PackedNames

__all__ = ["IMAGE_EXTENSIONS", "load_image_folder"]

#: File name endings read as images: those of torchvision's ``ImageFolder``
#: and GIF (first frame); :func:`image_extensions` adds what Pillow reads.
IMAGE_EXTENSIONS = (
    ".bmp", ".gif", ".jpeg", ".jpg", ".pgm", ".png", ".ppm", ".tif", ".tiff",
    ".webp",
)  # fmt: skip


def image_extensions():
    """Every file name ending read as an image: :data:`IMAGE_EXTENSIONS` and
    each format the installed Pillow opens (``.jp2``, ``.ico``, ``.tga``, ...)."""
    from PIL import Image

    pillow = (e.lower() for e, f in Image.registered_extensions().items()
              if f in Image.OPEN)  # fmt: skip
    return tuple(sorted(set(IMAGE_EXTENSIONS) | set(pillow)))


def class_folders(path, classes=None):
    """``(class names, their folders)`` under ``path``: sorted, or as given."""
    root = Path(path).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"Image folder '{root}' does not exist or is not a directory; it must "
            "hold one subfolder of images per class."
        )
    found = sorted(
        entry.name
        for entry in os.scandir(root)
        if entry.is_dir() and not entry.name.startswith(".")
    )
    if classes is None:
        classes = found
    else:
        classes = [str(c) for c in classes]
        missing = [c for c in classes if c not in found]
        if missing:
            raise FileNotFoundError(
                f"Class folder(s) {missing} not found in '{root}'; it has {found}."
            )
    if not classes:
        raise FileNotFoundError(
            f"Image folder '{root}' has no subfolders: it must hold one subfolder "
            "of images per class (e.g. 'cat/1.jpg', 'dog/2.jpg')."
        )
    return classes, [root / c for c in classes]


def image_files(folder, extensions=None):
    """Paths (str) of the image files under ``folder``, recursively, sorted.

    Hidden files and folders are skipped; links are followed, each real folder
    once (a link back to a folder already read, or a loop of links, adds
    nothing). A file with an image ending that is not a regular file (a FIFO,
    a device, a broken link) and a folder that cannot be read raise an
    OSError naming them: nothing is left out silently.
    """
    folder = os.fspath(folder)
    return [os.path.join(folder, name) for name in image_names(folder, extensions)]


def image_names(folder, extensions=None):
    """The files of :func:`image_files`, relative to ``folder``: only names
    are kept while listing (no directory entries, no stat of regular files),
    so a class of a million files costs little more than their names."""
    extensions = extensions or image_extensions()
    names, seen = [], set()

    def walk(path, prefix):
        try:
            info = os.stat(path)
            entries = os.scandir(path)
        except OSError as exc:
            raise OSError(
                f"Cannot read the folder '{path}': {exc.strerror or exc}; fix its "
                "permissions or move it out of the image folder."
            ) from exc
        if (info.st_dev, info.st_ino) in seen:
            entries.close()
            return
        seen.add((info.st_dev, info.st_ino))
        subfolders = []
        with entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir():  # follows links
                    subfolders.append(name)
                elif name.lower().endswith(extensions):
                    if not entry.is_file():
                        _refuse(entry)
                    names.append(prefix + name)
        for name in sorted(subfolders):
            walk(os.path.join(path, name), prefix + name + os.sep)

    walk(os.fspath(folder), "")
    names.sort()
    return names


def _refuse(entry):
    """An OSError naming ``entry``, an image name that is no regular file."""
    try:
        mode = os.stat(entry.path).st_mode
    except OSError as exc:  # a broken link, a loop of links
        raise OSError(
            f"'{entry.path}' is a symbolic link that leads to no file "
            f"({exc.strerror}); remove it or fix its target."
        ) from None
    if not stat.S_ISREG(mode):
        raise OSError(
            f"'{entry.path}' is not a regular file (a FIFO, device or socket); "
            "remove it from the image folder."
        )
    raise OSError(f"'{entry.path}' cannot be read as a file; remove it or fix it.")


def load_image_folder(
    path,
    *,
    image_size=None,
    mode="RGB",
    resize="squash",
    classes=None,
    check_files=True,
    cache=None,
    return_X_y=False,
):
    """Load a folder with one subfolder of images per class, lazily.

    ``path/cat/001.jpg, path/dog/002.png, ...``: each subfolder is a class
    (sorted by name, as torchvision's ``ImageFolder``), and every image file
    under it (any depth; hidden files skipped) an example. Nothing is decoded
    here: ``data`` is an :class:`ImageArray` that decodes rows with Pillow
    when they are read, e.g. batch by batch during training.

    With ``cache=PATH`` the images are decoded, converted and resized once,
    into a memory-mapped file under ``PATH`` (see :ref:`the images guide
    <image-cache>`), and every later read, in this process or another, is a
    read from memory.

    Loaders fail early: an empty class folder, a file that is not an image
    (a FIFO, a broken link, an unreadable folder) and (without
    ``image_size``) images of different sizes raise here, naming the folder
    or file. A file whose pixel data is damaged past its header raises
    :class:`OSError` naming the file when it is decoded. Links are followed,
    each real folder once; JPEG EXIF orientation is applied; 16-bit files
    read as 8 bits keep their high byte.

    Parameters
    ----------
    path : str or path-like
        The folder holding one subfolder per class.
    image_size : int, (height, width) or None, default=None
        Resize every image to this size (bilinear, antialiased). ``None``
        keeps their size, which must then be the same for all.
    mode : {"RGB", "L", "RGBA", "I;16", "auto"}, default="RGB"
        Pillow mode images are converted to: 3, 1 or 4 channels of uint8, or
        one channel of uint16 for 16-bit grey-scale scans. ``"auto"`` keeps
        what the files hold: "L" when every file is grey-scale, "I;16" when
        every file is 16-bit grey-scale, else "RGB" (``mode`` of the result
        says which).
    resize : {"squash", "pad", "crop"}, default="squash"
        How an image of another aspect ratio than ``image_size`` gets there:
        stretched (``"squash"``), scaled to fit and padded with black at both
        sides (``"pad"``, nothing lost or distorted), or scaled to cover and
        cut at the centre (``"crop"``, the borders lost).
    classes : list of str or None, default=None
        The class folders to read, in this order (their position is the
        target). ``None`` reads every subfolder, sorted by name.
    check_files : bool, default=True
        Read every file's header (not its pixels) now, to fail early. About
        60 microseconds a file (3 s for 50 000); with False only the first
        file is read, and a bad file fails when decoded. Not needed when a
        valid ``cache`` serves the images.
    cache : path-like or None, default=None
        A folder for the decoded images (``images.npy``, a uint8 memory map,
        and ``index.npz``, what it was built from). Built on first use, in
        chunks on every core, with a progress bar on a terminal; rebuilt
        when files were added, removed or changed; refused when built with
        another ``image_size``, ``mode`` or ``resize`` (one path per
        setting). If it cannot be written, a warning says so and the images
        are read from their files. None: decode at every read.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ImageArray of shape (n_samples, C, H, W)
            The images, decoded on access; dtype uint8 (uint16 for "I;16").
        target : ndarray of shape (n_samples,), dtype int64
            Class position of each image in ``target_names``.
        target_names : ndarray of str of shape (n_classes,)
            The class folder names.
        filenames : sequence of str of length n_samples
            The path of each image (built when read; ``np.asarray`` gives
            an ndarray).
        image_shape : tuple of int
            ``(C, H, W)`` of one image.
        mode : str
            The Pillow mode the images are decoded to (``mode``, resolved).
        cache : str or None
            The cache folder serving ``data``, or None.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    FileNotFoundError
        If ``path`` or a class folder is missing, or a class folder holds no
        image.
    OSError
        If a file is not a readable image.
    ValueError
        If images differ in size and ``image_size`` is None, or a parameter
        is invalid.

    See Also
    --------
    ImageArray : The lazy array, also over a NumPy array or memory map.
    load_cifar10 : CIFAR-10 through this loader.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from skimbalance.datasets import load_image_folder
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for label, n in (("defect", 2), ("ok", 6)):
    ...     (root / label).mkdir()
    ...     for i in range(n):
    ...         Image.new("L", (16, 12), 40 * i).save(root / label / f"{i}.png")
    >>> images = load_image_folder(root, mode="L")
    >>> images.data.shape, images.target.tolist(), images.target_names.tolist()
    ((8, 1, 12, 16), [0, 0, 1, 1, 1, 1, 1, 1], ['defect', 'ok'])
    """
    check_image_size(image_size)
    check_mode(mode, auto=True)
    check_resize(resize)
    names, folders = class_folders(path, classes)
    root = os.path.abspath(os.fspath(Path(path).expanduser()))
    counts = []

    def relative_names():  # one class's listing at a time
        for folder in folders:
            found = image_names(folder)
            if not found:
                raise FileNotFoundError(
                    f"Class folder '{folder}' holds no image file (extensions "
                    f"{', '.join(IMAGE_EXTENSIONS)} and the other formats Pillow "
                    "reads)."
                )
            counts.append(len(found))
            prefix = os.path.relpath(folder, root) + os.sep
            for name in found:
                yield prefix + name

    files = PackedNames(relative_names())
    target = np.repeat(np.arange(len(folders), dtype=np.int64), counts)
    options = dict(image_size=image_size, mode=mode, resize=resize)
    data, decoded_mode, served = None, None, None
    if cache is not None:
        size = check_image_size(image_size)
        opened = open_cache(
            cache, root, files,
            settings={**options, "image_size": None if size is None else list(size)},
            build=lambda: ImageArray._from_names(root, files, **options,
                                                 check_files=check_files),
        )  # fmt: skip
        if opened is not None:
            images, decoded_mode = opened
            data = ImageArray(images, data_format="channels_first")
            served = str(Path(cache).expanduser())
    if data is None:
        data = ImageArray._from_names(root, files, **options, check_files=check_files)
        decoded_mode = data.mode
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.asarray(names),
        filenames=FileNames(root, files),
        image_shape=data.shape[1:],
        mode=decoded_mode,
        cache=served,
    )
