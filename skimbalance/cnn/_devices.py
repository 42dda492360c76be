"""Where and in what arithmetic a network runs: the device and precision checks."""

import torch


def resolve_device(device):
    """A torch device for ``device``; a ValueError naming it when it is not one."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu', 'cuda' "
            f"or 'cuda:<index>' ({exc})."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but no CUDA device is available; use device='cpu' "
            "or device='auto' (CUDA when available, else CPU)."
        )
    return resolved


def check_precision(precision, device):
    if precision == "16" and device.type != "cuda":
        raise ValueError(
            "precision='16' (float16 with gradient scaling) needs a CUDA device; "
            f"on {device.type} use precision='bf16' or '32'."
        )
    if (
        precision == "bf16"
        and device.type == "cuda"
        and not torch.cuda.is_bf16_supported()
    ):
        raise ValueError(
            f"precision='bf16' is not supported by this GPU "
            f"({torch.cuda.get_device_name(device)}); use precision='16' or '32'."
        )


def cuda_devices(device):
    if device.type != "cuda":
        return []
    return [torch.cuda.current_device() if device.index is None else device.index]
