"""Pictures of a run shared by the pages, the CLI's files and the reports: map and charts;
and the map as GeoJSON, for GIS tools to draw."""
