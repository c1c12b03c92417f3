"""`xmess-bot` and `python -m bot`.

Deliberately tiny: the feed parser's worker processes are spawned, and a spawned process
re-imports the main module; starting here keeps each worker from loading the whole bot.
"""


def main() -> None:
    from bot.cli import main as command_line

    command_line()


if __name__ == "__main__":
    main()
