"""Integrations with frameworks: :mod:`zenoo_rpc.contrib.django`. Nothing here is imported by ``zenoo_rpc``."""

__all__: list[str] = []
