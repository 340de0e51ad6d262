"""The shared fixtures are pytest plugins in tests/fixtures/, one module per concern; the
conftest of an app adds only what that app's tests need."""

pytest_plugins = [
    "tests.fixtures.environment",
    "tests.fixtures.clients",
    "tests.fixtures.personas",
    "tests.fixtures.territories",
    "tests.fixtures.phases",
    "tests.fixtures.consultations",
    "tests.fixtures.contributions",
    "tests.fixtures.live",
    "tests.fixtures.throwaway",
]
