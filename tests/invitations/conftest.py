"""Invitations fixtures: a structure with its administrator (the owner) and a member."""

from tests.structures.conftest import structure

__all__ = ["structure"]
