"""`rasa test` on the conversation test stories, against the real action server."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from tests.servers import ACTION_ENDPOINT, ACTION_TOKEN, MODEL, RASA, free_port, running_action_server

pytestmark = pytest.mark.servers


def test_every_test_story_is_predicted_without_errors(tmp_path: Path) -> None:
    port = free_port()
    with running_action_server(tmp_path, port):
        endpoints = tmp_path / "endpoints.yml"
        endpoints.write_text(ACTION_ENDPOINT.format(port=port), encoding="utf-8")
        out = tmp_path / "core-report"
        run = subprocess.run(
            [
                str(RASA), "test", "core", "--model", str(MODEL), "--stories", "tests/test_stories.yml",
                "--endpoints", str(endpoints), "--out", str(out), "--fail-on-prediction-errors",
            ],
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "3",
                "SCREENER_ACTION_TOKEN": ACTION_TOKEN,
            },
            capture_output=True,
            text=True,
            timeout=900,
        )  # fmt: skip
    failed = out / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8")[:6000] if failed.exists() else run.stdout[-4000:] + run.stderr[-4000:]
    assert run.returncode == 0, details
    assert "None of the test stories failed" in failed.read_text(encoding="utf-8")
