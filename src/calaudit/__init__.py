"""calaudit: where did your time go, against where you meant it to go."""

__version__ = "0.1.0"
