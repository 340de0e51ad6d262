"""Pure algorithms of the synthesis: similarity, clustering, scoring. No Django import."""
