"""`python -m lanzarote` is the `lanzarote` command."""

from lanzarote.cli import main

main()
