"""The notebook API under its short, documented name: ``from atlas_app.api import open_registry``.

The code lives in :mod:`atlas_app.research.notebook`.
"""

from atlas_app.research.notebook import Registry, open_registry

__all__ = ["Registry", "open_registry"]
