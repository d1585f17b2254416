"""launchwatch: open ballistic-missile launch monitoring and early-warning."""

__version__ = "0.1.0"
