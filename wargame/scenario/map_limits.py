"""Limits of the theatre's files that commands name in their help: here, apart from the
checks, so that `wargame --help` need not import numpy and the loader to state them."""

ROAD_END_GAP_KM = 5.0
"""How far a road's drawn end may lie from the point of the place it joins. A place is a
town, camp or crossing a few km across drawn as one point, so a road drawn to its edge
ends that far off; further, the road was drawn to another place, or the place was moved
after its roads were drawn, and the map no longer says where the road goes."""
BASEMAP_MARGIN_DEG = 0.5
"""Degrees of basemap `wargame basemap` keeps around the outermost places (about 50 km), so
the map's edge is not a place."""
MAX_DAYS = 3650
"""The longest run a theatre is played for (ten years): a history's, an experiment's and
`wargame run`'s; a set-up's start date leaves room for it in the calendar."""
