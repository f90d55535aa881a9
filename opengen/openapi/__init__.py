"""The OpenAPI 3.1 document of the public API and feeds, built from the constants the code uses."""
from __future__ import annotations

from .document import ENDPOINTS, build_document

__all__ = ["ENDPOINTS", "build_document"]
