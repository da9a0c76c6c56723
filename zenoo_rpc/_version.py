"""The package's version, at the bottom of the import graph: the package and its modules read it from here
(a module reading it from ``zenoo_rpc`` itself would import the package that imports it)."""

__version__ = "0.2.0"

__all__ = ["__version__"]
