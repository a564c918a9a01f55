"""Starting the command line: `python -m cart_screen` and the installed `cart-screen` command.

The command line loads in a few tenths of a second (the rules' readers, typer, the value books).
A Ctrl-C in that time ends the command as a Ctrl-C once it runs does — exit status 130 — rather
than with Python's traceback from whichever import it interrupted.
"""

import signal
import sys


def run() -> None:
    """Load the command line, then run it (cli.main)."""
    try:
        from cart_screen.cli import main
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)
    main()


# The guard matters: batch's worker processes import this module again, and must not run main.
if __name__ == "__main__":
    run()
