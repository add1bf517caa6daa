"""`python -m simkl_ratings.cli`: the same as the `simkl-ratings-sync` command."""

from .main import entry

entry()
