"""Stop early, and say why, when the interpreter is older than the bot needs."""

import sys

if sys.version_info < (3, 11):  # noqa: UP036 - this runs on whatever python3 is there
    sys.exit(
        f"xmess-bot needs Python 3.11 or newer; this is {sys.version.split()[0]}. "
        "Install python3.11 and run again with PYTHON=python3.11."
    )
