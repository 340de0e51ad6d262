"""The Redis channel layer's reads outlast its blocking pop (redis-py 8 reads with a 5 s socket
timeout by default, the same 5 s as channels_redis' BZPOPMIN: idle websockets were dropped
whenever the timeout won the race). Read from the settings of a fresh process."""

import json

from tests.core.test_settings import production_env, run_manage

PRINT_LAYER = (
    "import json; from channels.layers import get_channel_layer; layer = get_channel_layer(); "
    "pool = layer.create_pool(0); "
    "print(json.dumps({'backend': type(layer).__name__, 'block': layer.brpop_timeout, "
    "'timeout': pool.connection_kwargs.get('socket_timeout', 'unset')}))"
)


def layer_settings(**env: str) -> dict[str, object]:
    # Nothing listens on port 9: building the layer and its pool does not connect.
    result = run_manage(
        "shell",
        "-c",
        PRINT_LAYER,
        env=production_env(REDIS_URL="redis://127.0.0.1:9/0", **env),
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_redis_reads_wait_longer_than_the_channel_layers_blocking_pop() -> None:
    layer = layer_settings()
    assert layer["backend"] == "RedisChannelLayer"
    assert isinstance(layer["timeout"], int | float)
    assert isinstance(layer["block"], int | float)
    assert layer["timeout"] > layer["block"] + 5


def test_zero_means_no_read_timeout_and_a_too_short_one_is_refused() -> None:
    assert layer_settings(REDIS_SOCKET_TIMEOUT="0")["timeout"] is None
    result = run_manage(
        "check",
        env=production_env(REDIS_URL="redis://127.0.0.1:9/0", REDIS_SOCKET_TIMEOUT="5"),
    )
    assert result.returncode != 0
    assert "REDIS_SOCKET_TIMEOUT" in result.stderr
