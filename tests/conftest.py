"""Fixtures shared by the test folders."""

import pytest


@pytest.fixture
def decoded_rows(monkeypatch):
    """The rows of image files decoded from their files during a test, in order."""
    from skimbalance.datasets._image_files import FileRows

    decoded = []
    original = FileRows.decode

    def counting(self, row):
        decoded.append(row)
        return original(self, row)

    monkeypatch.setattr(FileRows, "decode", counting)
    return decoded
