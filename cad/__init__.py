"""Usine's shared CAD library: parameters, standard geometry, exporters, checks and the
variant build engine. Nothing design-specific lives here; designs live in designs/<slug>/."""
