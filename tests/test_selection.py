"""Backend selection: KCORE_BACKEND, then kcore.json, then jax/torch/tensorflow, else numpy."""

from __future__ import annotations

import json

import pytest

from kcore import config, registry
from kcore.errors import BackendNotFoundError, ConfigError


def write_config(home, data):
    home.mkdir(parents=True, exist_ok=True)
    path = home / "kcore.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_env_var_wins_over_the_config_file(fresh_kcore, monkeypatch):
    write_config(fresh_kcore, {"backend": "no-such-backend"})
    monkeypatch.setenv("KCORE_BACKEND", "numpy")
    assert config.backend() == "numpy"
    assert config.backend_source() == "KCORE_BACKEND"


def test_config_file_is_used_without_env_var(fresh_kcore):
    path = write_config(fresh_kcore, {"backend": "numpy", "floatx": "float64"})
    assert config.backend() == "numpy"
    assert config.backend_source() == str(path)
    assert config.floatx() == "float64"
    assert config.settings().config_file == str(path)


def test_kcore_home_defaults_to_dot_kcore(monkeypatch, tmp_path):
    monkeypatch.delenv("KCORE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config.config_file_path() == tmp_path / ".kcore" / "kcore.json"


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (["jax", "numpy", "tensorflow", "torch"], "jax"),
        (["numpy", "tensorflow", "torch"], "torch"),
        (["numpy", "openvino", "tensorflow"], "tensorflow"),
        (["numpy", "openvino"], "numpy"),
        (["numpy"], "numpy"),
    ],
)
def test_auto_selection_order(fresh_kcore, monkeypatch, available, expected):
    monkeypatch.setattr(registry, "available_backends", lambda: available)
    assert config.backend() == expected
    assert config.backend_source() == "auto"


@pytest.mark.parametrize("alias", ["tf", "TF", "tensorflow"])
def test_tf_is_an_alias_of_tensorflow(alias):
    try:
        assert registry.canonical_backend_name(alias) == "tensorflow"
    except BackendNotFoundError as exc:  # kcore-tf not installed in this env
        assert "the tensorflow backend is not installed" in str(exc)
        assert "pip install 'kcore[tf]'" in str(exc)


def test_unknown_env_backend_names_the_variable_and_the_choices(fresh_kcore, monkeypatch):
    monkeypatch.setenv("KCORE_BACKEND", "foo")
    with pytest.raises(BackendNotFoundError) as info:
        config.backend()
    message = str(info.value)
    assert "KCORE_BACKEND='foo'" in message and "numpy" in message


def test_missing_known_backend_says_which_pip_command(monkeypatch):
    records = [r for r in registry.backend_records() if r.name != "jax"]
    monkeypatch.setattr(registry, "backend_records", lambda: records)
    with pytest.raises(BackendNotFoundError, match=r"pip install 'kcore\[jax\]'"):
        registry.canonical_backend_name("jax", source="KCORE_BACKEND")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "is not valid JSON (line 1, column 2"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"backend": 3}', "'backend' must be a backend name string"),
        ('{"floatx": "float8"}', "floatx must be one of"),
        ('{"epsilon": -1}', "epsilon must be a positive number"),
        ('{"image_data_format": "nhwc"}', "image_data_format must be one of"),
        ('{"backnd": "jax"}', "unknown key(s) 'backnd'"),
    ],
)
def test_malformed_config_file_is_a_clear_error(fresh_kcore, content, fragment):
    path = write_config(fresh_kcore, content)
    with pytest.raises(ConfigError) as info:
        config.backend()
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_empty_config_file_means_defaults(fresh_kcore):
    write_config(fresh_kcore, "")
    assert config.floatx() == "float32"
    assert config.epsilon() == 1e-7
    assert config.image_data_format() == "channels_last"


def test_setters_validate(fresh_kcore):
    config.set_floatx("float16")
    config.set_epsilon(1e-5)
    config.set_image_data_format("channels_first")
    assert (config.floatx(), config.epsilon(), config.image_data_format()) == (
        "float16",
        1e-5,
        "channels_first",
    )
    with pytest.raises(ConfigError, match="set_floatx: floatx must be one of"):
        config.set_floatx("int8")


def test_set_backend_overrides_and_canonicalises(fresh_kcore, monkeypatch):
    monkeypatch.setenv("KCORE_BACKEND", "numpy")
    config.set_backend("np")
    assert config.backend() == "numpy"
    assert config.backend_source() == "set_backend"
    with pytest.raises(BackendNotFoundError):
        config.set_backend("nope")


def test_selection_in_a_fresh_process(run_python, tmp_path):
    code = "import kcore; print(kcore.config.backend(), kcore.config.backend_source())"
    result = run_python(code, KCORE_BACKEND="numpy")
    assert result.stdout.split() == ["numpy", "KCORE_BACKEND"]
    home = tmp_path / "kcore-home"
    write_config(home, {"backend": "numpy"})
    result = run_python(code)
    assert result.stdout.split() == ["numpy", str(home / "kcore.json")]
