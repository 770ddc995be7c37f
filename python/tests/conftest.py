"""Shared fixtures: the `qnn` command line the Python results are compared against."""
import os
import shutil
import subprocess

import pytest


@pytest.fixture(scope="session")
def qnn_cli():
    """Path of the qnn binary (QNN_CLI, set by ctest; else `qnn` on PATH); skips the test when there is none."""
    path = os.environ.get("QNN_CLI") or shutil.which("qnn")
    if not path or not os.path.exists(path):
        pytest.skip("the qnn command line is not built (set QNN_CLI)")
    return path


@pytest.fixture(scope="session")
def run_cli(qnn_cli):
    def run(*args, check=True):
        proc = subprocess.run([qnn_cli, *map(str, args)], capture_output=True, text=True, env={**os.environ})
        if check and proc.returncode != 0:
            raise AssertionError(f"qnn {' '.join(map(str, args))} failed: {proc.stderr}")
        return proc

    return run
