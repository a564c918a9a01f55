"""`python -m cart_screen` runs the command line."""

from cart_screen.cli import main

main()
