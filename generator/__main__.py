"""``python -m zenoo_rpc.generator``: the same command as ``zenoo-gen``."""

from .cli import main

main()
