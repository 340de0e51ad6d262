"""Fault tests run real processes against servers of their own (tests/fixtures/throwaway.py);
the live workshop's fixtures come from the workshop tests."""

from tests.workshops.conftest import make_activity, room, workshop

__all__ = ["make_activity", "room", "workshop"]
