"""zenoo-gen: typed model classes and typed client stubs generated from an Odoo schema."""

from zenoo_rpc._version import __version__

__all__ = ["__version__"]
