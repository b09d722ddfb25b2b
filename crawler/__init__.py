"""datacity: a crawler that builds a live register of a city's digital organisations."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("datacity")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
