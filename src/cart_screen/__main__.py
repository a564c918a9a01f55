"""`python -m cart_screen` runs the command line."""

from cart_screen.cli import main

# The guard matters: batch's worker processes import this module again, and must not run main.
if __name__ == "__main__":
    main()
