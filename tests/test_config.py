from __future__ import annotations

from pathlib import Path

import pytest

from fbopt.config import load_config
from fbopt.errors import ConfigError
from fbopt.home import fbopt_home


def test_packaged_default() -> None:
    config = load_config()
    assert config.get("generate.variants") == 1
    assert config.sources["generate.variants"] == "default"


def test_precedence_flag_env_file_default(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "fbopt.toml").write_text("[generate]\nvariants = 2\nseed = 11\n", encoding="utf-8")
    monkeypatch.setenv("FBOPT_GENERATE_VARIANTS", "3")
    config = load_config()
    assert config.get("generate.seed") == 11  # file beats default
    assert config.get("generate.variants") == 3  # env beats file
    assert config.sources["generate.variants"] == "$FBOPT_GENERATE_VARIANTS"
    flagged = load_config(overrides={"generate.variants": 4, "generate.seed": None})
    assert flagged.get("generate.variants") == 4  # flag beats env
    assert flagged.get("generate.seed") == 11  # a flag left unset changes nothing


def test_explicit_config_beats_local_file(workdir: Path, tmp_path: Path) -> None:
    (workdir / "fbopt.toml").write_text("[generate]\nseed = 11\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text("[generate]\nseed = 99\n", encoding="utf-8")
    assert load_config(other).get("generate.seed") == 99


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[generate]\nvariant = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = info.value.message()
    assert "generate.variant" in message and "generate.variants" in message


def test_wrong_type_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FBOPT_GENERATE_VARIANTS", "many")
    with pytest.raises(ConfigError, match="FBOPT_GENERATE_VARIANTS"):
        load_config()


def test_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[generate\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_home_is_isolated(isolated_home: Path) -> None:
    assert fbopt_home() == isolated_home


# --- issue #17 items 1 and 2: unknown FBOPT_ names, ranges whatever the source ---------------


def test_unknown_env_setting_names_it_and_the_closest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FBOPT_GENERATE_SEEED", "3")
    with pytest.raises(ConfigError) as info:
        load_config()
    message = info.value.message()
    assert "$FBOPT_GENERATE_SEEED" in message
    assert "$FBOPT_GENERATE_SEED (generate.seed)" in message
    assert info.value.exit_code == 2


def test_unknown_env_without_a_close_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FBOPT_ZZZ", "1")
    with pytest.raises(ConfigError, match=r"\$FBOPT_ZZZ names no fbopt setting.*<SECTION>"):
        load_config()


def test_documented_non_settings_are_not_errors(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("FBOPT_HOME", str(tmp_path))
    monkeypatch.setenv("NOT_FBOPT_GENERATE_SEEED", "1")
    assert load_config().get("generate.seed") == 7


def test_valid_names_come_from_the_default_config() -> None:
    """A key added to configs/default.toml is a valid FBOPT_ name with no list to update."""
    from fbopt.config import default_values, env_name

    environ = {env_name(key): str(value) if not isinstance(value, list) else ""
               for key, value in default_values().items()}
    environ = {k: v for k, v in environ.items() if v != ""}
    assert load_config(environ=environ).get("run.batch_size") == 2048


@pytest.mark.parametrize("source", ["env", "file", "flag"])
def test_out_of_range_from_any_source(source: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = None
    overrides = {}
    if source == "env":
        monkeypatch.setenv("FBOPT_RUN_BATCH_SIZE", "-5")
    elif source == "file":
        path = tmp_path / "c.toml"
        path.write_text("[run]\nbatch_size = -5\n", encoding="utf-8")
    else:
        overrides = {"run.batch_size": -5}
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    message = info.value.message()
    assert "'run.batch_size'" in message and "at least 1" in message and "-5" in message
    assert "\n" not in message and info.value.exit_code == 2


@pytest.mark.parametrize(("name", "value", "expect"), [
    ("FBOPT_CACHE_SEMANTIC_THRESHOLD", "1.5", "at most 1"),
    ("FBOPT_BENCHMARK_MAX_REGRESSION", "1", "under 1"),
    ("FBOPT_ENGAGEMENT_MEMBERS", "2", "at least 3"),
    ("FBOPT_ENGAGEMENT_DEVICE", "gpu", "cuda:N"),
    ("FBOPT_QUALITY_GRAMMAR_BACKEND", "word", "'harper'"),
    ("FBOPT_ENHANCE_STRATEGIES", "grammar,spelling", "each item"),
    ("FBOPT_LLM_TIMEOUT", "0", "at least 0.1"),
])
def test_ranges(monkeypatch: pytest.MonkeyPatch, name: str, value: str, expect: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=expect):
        load_config()


def test_values_in_range_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FBOPT_ENGAGEMENT_DEVICE", "cuda:1")
    monkeypatch.setenv("FBOPT_LLM_MAX_COST", "-1")  # negative: no cap
    config = load_config()
    assert config.get("engagement.device") == "cuda:1" and config.get("llm.max_cost") == -1.0


def test_min_over_max_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FBOPT_GENERATE_MIN_CHARS", "600")
    with pytest.raises(ConfigError, match="generate.min_chars.*over 'generate.max_chars'"):
        load_config()


def test_range_table_matches_the_defaults() -> None:
    """Every ranged key exists, and every packaged default is in its own range."""
    from fbopt.config import RANGES, default_values

    defaults = default_values()
    assert set(RANGES) <= set(defaults)
    assert [k for k, allowed in RANGES.items() if not allowed.admits(defaults[k])] == []


def test_cli_out_of_range_env_is_one_line_and_exit_2(workdir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from fbopt.cli.main import cli

    monkeypatch.setenv("FBOPT_RUN_BATCH_SIZE", "-5")
    (workdir / "t.csv").write_text("topic\ncoffee\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "t.csv"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: setting 'run.batch_size'")
