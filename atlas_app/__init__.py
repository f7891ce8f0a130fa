"""Social Tech Atlas: a registry and map of European social-tech organisations."""

__version__ = "0.1.0"
