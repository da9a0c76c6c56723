"""zenoo-gen: typed model classes and typed client stubs generated from an Odoo schema."""

__version__ = "0.1.0"
