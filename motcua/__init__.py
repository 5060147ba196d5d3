"""motcua: electronic one-stop-shop system for Vietnamese provinces."""

__version__ = "0.1.0"
