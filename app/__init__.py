"""DFU Monitor: diabetic foot ulcer follow-up (docs/product.md)."""

__version__ = "0.1.0"  # the one version number; pyproject.toml reads it (setuptools dynamic)
