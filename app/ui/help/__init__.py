"""Help: the About box (version, database location, components and licences)."""
