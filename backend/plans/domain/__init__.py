"""Pure parts of the published plan: snapshot digest, merit bars, Pol.is tables, archives."""
