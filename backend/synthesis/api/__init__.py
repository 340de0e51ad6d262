"""Synthesis API: clusters and merges, candidate actions, scores, answers."""
