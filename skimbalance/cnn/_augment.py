"""Random augmentation of training batches: the standard CIFAR recipe built in,
vectorised on the device, and any per-image callable."""

import torch
import torch.nn.functional as F


class PadCropFlip:
    """Pad, crop back at a random offset, flip horizontally at random: per image.

    The standard CIFAR-10 augmentation (pad 4 with zeros, random 32x32 crop,
    horizontal flip with probability 0.5), done for a whole batch at once on
    its device with one gather, in the batch's own dtype.

    Parameters
    ----------
    padding : int, default=4
        Zero padding on each side before cropping back to the original size.
    flip : bool, default=True
        Whether to mirror each image left-right with probability 0.5.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.cnn import PadCropFlip
    >>> images = torch.arange(2 * 3 * 8 * 8, dtype=torch.uint8).reshape(2, 3, 8, 8)
    >>> out = PadCropFlip(padding=2)(images, torch.Generator().manual_seed(0))
    >>> out.shape, out.dtype
    (torch.Size([2, 3, 8, 8]), torch.uint8)
    """

    #: Called once per batch, ``augment(images, generator)``, not per image.
    batched = True

    def __init__(self, padding=4, flip=True):
        self.padding, self.flip = padding, flip

    def __call__(self, images, generator):
        n, _, height, width = images.shape
        p, device = self.padding, images.device
        if p:
            padded = F.pad(images, (p, p, p, p))
            dy = torch.randint(0, 2 * p + 1, (n, 1), generator=generator, device=device)
            dx = torch.randint(0, 2 * p + 1, (n, 1), generator=generator, device=device)
            rows = (dy + torch.arange(height, device=device))[:, None, :, None]
            cols = (dx + torch.arange(width, device=device))[:, None, None, :]
            batch = torch.arange(n, device=device)[:, None, None, None]
            channel = torch.arange(images.shape[1], device=device)[None, :, None, None]
            images = padded[batch, channel, rows, cols]
        if self.flip:
            mirror = torch.rand(n, generator=generator, device=device) < 0.5
            images = torch.where(mirror[:, None, None, None], images.flip(3), images)
        return images

    def __repr__(self):
        return f"PadCropFlip(padding={self.padding}, flip={self.flip})"


#: ``augment=`` names.
AUGMENTATIONS = {"pad_crop_flip": PadCropFlip}


def build_augment(augment):
    """``augment=`` as a callable ``f(images, generator)`` on a batch, or None."""
    if augment is None:
        return None
    if isinstance(augment, str):
        return AUGMENTATIONS[augment]()
    if getattr(augment, "batched", False):
        return augment
    return _PerImage(augment)


class _PerImage:
    """Apply a per-image callable (e.g. a torchvision transform) to each image;
    its randomness comes from torch's (seeded) global generator."""

    def __init__(self, transform):
        self.transform = transform

    def __call__(self, images, generator):
        return torch.stack([self.transform(image) for image in images])
