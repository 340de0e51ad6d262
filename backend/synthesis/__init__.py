"""Synthesis: from field contributions to the candidate actions of the regional plan."""
