"""Programs -> Simkl Ratings Sync, and RunScript(script.simkl.ratings,ACTION)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from simkl_ratings.kodi.script import main

main(sys.argv)
