"""A folder of "full-size photos" for the benchmarks: CIFAR-10 images upscaled
to 250-400 pixels a side, of varied aspect, saved as JPEG (quality 90)."""

import numpy as np
from PIL import Image

from skimbalance.datasets._home import get_data_home


def make_photos(folder, counts, *, mode="RGB", seed=0):
    """Write ``counts`` ({class: n}) photos under ``folder/<class>/``, each
    from the CIFAR-10 training images of that class (or of ``cat`` when the
    name is not a CIFAR-10 class); return the file paths, sorted."""
    rng = np.random.default_rng(seed)
    source_root = get_data_home() / "cifar10-jpg" / "train"
    paths = []
    for name, n in counts.items():
        source = (
            source_root / name if (source_root / name).is_dir() else source_root / "cat"
        )
        images = sorted(source.iterdir())
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            width, height = (int(v) for v in rng.integers(250, 401, 2))
            with Image.open(images[i % len(images)]) as image:
                photo = image.convert(mode).resize((width, height), Image.BICUBIC)
            path = target / f"{i:05d}.jpg"
            photo.save(path, quality=90)
            paths.append(path)
    return sorted(paths)
