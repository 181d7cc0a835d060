"""Errors the face engine raises: each carries a reason a person can read."""

from __future__ import annotations


class EngineError(Exception):
    """Base class for every engine error."""


class ImageError(EngineError):
    """The bytes given are not an image the engine can use; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ModelNotFound(EngineError):
    """A model file the engine needs is not installed (nothing is downloaded at run time)."""


class IncompatibleTemplates(EngineError):
    """Templates of different algorithms or versions were about to be compared."""


class UnknownName(EngineError):
    """No detector or template algorithm is registered under the name asked for."""
