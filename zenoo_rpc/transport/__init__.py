"""Lower-level HTTP access to an Odoo server (the clients use these pools internally)."""

from .pool import ConnectionPool, PooledConnection, PoolResponse

__all__ = ["ConnectionPool", "PoolResponse", "PooledConnection"]
