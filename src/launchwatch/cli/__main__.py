"""``python -m launchwatch.cli``: the same as the ``launchwatch`` command."""

from . import main

main()
