"""The sans-IO core: protocols, domains, query specs, flows, cache keys, retry policy. No I/O imports here."""

__all__: list[str] = []
