"""Published plan: frozen versions of the action plan, its formats and the open-data archive."""
