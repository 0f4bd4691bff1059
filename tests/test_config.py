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
