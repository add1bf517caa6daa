"""The background service entry point (addon.xml, xbmc.service)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from simkl_ratings.kodi.service import main

main()
