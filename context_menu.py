"""Context menu -> "Rate on Simkl…" (addon.xml, kodi.context.item)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from simkl_ratings.kodi.context_item import main

main()
