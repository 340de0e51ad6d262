"""The shared fixtures are pytest plugins in tests/fixtures/, one module per concern; the
conftest of an app adds only what that app's tests need."""

from hypothesis import settings

# Property tests assert values, never durations: Hypothesis's 200 ms deadline only measured
# how loaded the machine was (a first example at 455 ms under a parallel suite, 7 ms after).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")

pytest_plugins = [
    "tests.fixtures.environment",
    "tests.fixtures.clients",
    "tests.fixtures.personas",
    "tests.fixtures.territories",
    "tests.fixtures.phases",
    "tests.fixtures.consultations",
    "tests.fixtures.contributions",
    "tests.fixtures.live",
    "tests.fixtures.votes",
    "tests.fixtures.throwaway",
    "tests.fixtures.scheduling",
]
