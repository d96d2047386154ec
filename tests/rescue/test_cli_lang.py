"""The command line in English or Chinese (issue 17): ``--lang``, ``SANDTABLE_LANG`` or the
locale; what a command says and its errors, which still name the file and line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sandtable.cli import LANG_ENV, cli_language, main
from tests.common import (
    make_region_dir,
)
from tests.web.test_chinese import english_words

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _no_language_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LANG_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("given", "environ", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "zh_TW.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        (None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_ALL": "zh_CN.UTF-8", "SANDTABLE_LANG": "en"}, "en"),
        (None, {"SANDTABLE_LANG": "zh"}, "zh"),
        ("en", {"SANDTABLE_LANG": "zh"}, "en"),
        ("zh", {}, "zh"),
    ],
)
def test_the_language_is_the_option_then_sandtable_lang_then_the_locale(
    given: str | None, environ: dict[str, str], expected: str
) -> None:
    assert cli_language(given, environ) == expected


@pytest.mark.parametrize(
    "argv", [["--lang", "zh", "info", "everest"], ["info", "everest", "--lang", "zh"]]
)
def test_an_error_in_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == "sandtable info：错误：未知区域 'everest'；可用的区域：kailash"


def test_an_error_in_english_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "everest"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "sandtable info: error: unknown region 'everest'; available regions: kailash"


def test_a_broken_region_file_is_named_with_its_line_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_region_dir(
        tmp_path / "tiny", trails='{\n "type": "FeatureCollection",\n "features": [,]\n}\n'
    )
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["info", "tiny", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    head, detail = err.strip().split("\n")
    assert head == "sandtable info：错误：区域 'tiny'：数据无效（1 个问题）"
    assert detail == "  - trails.geojson：第 3 行第 15 列的 JSON 无效：此处应有一个值"


def test_a_broken_settings_file_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sandtable.toml").write_text("DATABASE_URL = \n", encoding="utf-8")
    argv = ["backup", str(tmp_path / "copy.db"), "--instance-dir", str(tmp_path)]
    assert main([*argv, "--lang", "zh"]) == 2
    zh = capsys.readouterr().err
    assert f"{tmp_path / 'sandtable.toml'} 第 1 行第 16 列不是有效的 'TOML'" in zh
    assert main([*argv, "--lang", "en"]) == 2
    en = capsys.readouterr().err
    assert "sandtable.toml is not valid TOML: " in en and "(at line 1, column 16)" in en


def test_locate_answers_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--lang", "zh", "locate", "在卓玛拉山口和止热寺之间", "--at", "2025-07-12T09:30"])
        == 0
    )
    out = capsys.readouterr().out
    assert "公里" in out and "最可能的位置：北纬" in out and "接下来可以问：" in out
    assert english_words(out) == [], out


def _cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in LANG_ENV}
    return subprocess.run(
        [sys.executable, "-m", "sandtable.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **env},
        timeout=120,
        check=False,
    )


def test_a_chinese_locale_makes_a_chinese_command(tmp_path: Path) -> None:
    env = {"LANG": "zh_CN.UTF-8", "SANDTABLE_INSTANCE_DIR": str(tmp_path)}
    done = _cli(
        "create-user",
        "Tenzin",
        "--role",
        "officer",
        "--password-stdin",
        env=env,
        stdin="a long passphrase\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "已创建警官 'tenzin'（用户编号 1）"
    again = _cli(
        "create-user",
        "tenzin",
        "--role",
        "admin",
        "--password-stdin",
        env=env,
        stdin="another passphrase\n",
    )
    assert again.returncode == 2 and again.stderr.startswith("sandtable create-user：错误：")
    assert CJK.search(again.stderr.split("错误：", 1)[1]), again.stderr
    english = _cli(
        "create-user",
        "dawa",
        "--role",
        "admin",
        "--password-stdin",
        "--lang",
        "en",
        env=env,
        stdin="a long passphrase\n",
    )
    assert english.stdout.strip() == "created admin 'dawa' (user 2)"
