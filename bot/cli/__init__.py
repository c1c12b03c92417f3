"""The command line: each command parses its arguments, calls one use case and prints.

Errors the bot raises on purpose (`XmessError`) become one line on stderr and exit status 1.
The commands live by subject (`operations`, `queue`, `users`, `demo`) and register on the one
`main` group of `base` when this package is imported.
"""

from bot.cli import demo, operations, queue, users
from bot.cli.base import main

__all__ = ["demo", "main", "operations", "queue", "users"]
