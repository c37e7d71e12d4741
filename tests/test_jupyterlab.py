"""JupyterLab really starts on the notebooks (as `make lab` does), its API lists them, and a
notebook opened through a kernel of the server runs top to bottom with the project kernel."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import date
from pathlib import Path

import pytest

from protection_workbench.synth.generate import generate_demo_exports

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab-home")
    proc = subprocess.Popen(
        [str(JUPYTER), "lab", "--notebook-dir=notebooks", "--no-browser", "--ip=127.0.0.1"]
        + [f"--port={port}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]
        + (["--allow-root"] if os.getuid() == 0 else []),  # CI containers run as root
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={"PATH": f"{JUPYTER.parent}:/usr/bin:/bin", "HOME": str(home)},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode())
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start within 90 s")
    yield base, token
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _api(base: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def test_lab_serves_the_notebooks(lab):
    base, token = lab
    listing = _api(base, token, "/api/contents")
    names = {item["name"] for item in listing["content"]}
    assert {"weekly_report.ipynb", "case_integrity.ipynb", "data_quality.ipynb"} <= names
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as response:
        assert response.status == 200 and b"JupyterLab" in response.read()
    specs = _api(base, token, "/api/kernelspecs")
    assert "protection-workbench" in specs["kernelspecs"]


def test_a_notebook_runs_through_a_server_kernel(lab, tmp_path):
    import websocket

    base, token = lab
    data = tmp_path / "demo"
    generate_demo_exports(data, 800, 3, date(2026, 11, 24), 0.01)
    nb = _api(base, token, "/api/contents/data_quality.ipynb")["content"]
    session = _api(
        base,
        token,
        "/api/sessions",
        "POST",
        {
            "path": "data_quality.ipynb",
            "type": "notebook",
            "name": "",
            "kernel": {"name": "protection-workbench"},
        },
    )
    kernel_id = session["kernel"]["id"]
    ws = websocket.create_connection(
        f"ws://{base.removeprefix('http://')}/api/kernels/{kernel_id}/channels?token={token}",
        timeout=120,
    )
    try:
        cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        sources = []
        for cell in cells:
            sources.append("".join(cell["source"]))
            if "parameters" in cell["metadata"].get("tags", []):  # as papermill would
                sources.append(f"data_dir = {str(data)!r}\nas_of = '2026-11-24'")
        for code in sources:
            msg_id = uuid.uuid4().hex
            ws.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "username": "test",
                            "session": uuid.uuid4().hex,
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {"code": code, "silent": False, "allow_stdin": False},
                        "channel": "shell",
                    }
                )
            )
            while True:
                reply = json.loads(ws.recv())
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if reply["msg_type"] == "error":
                    pytest.fail(f"cell failed: {reply['content']['ename']}: {code[:80]}")
                if reply["msg_type"] == "execute_reply":
                    assert reply["content"]["status"] == "ok", code[:80]
                    break
    finally:
        ws.close()
        _api(base, token, f"/api/sessions/{session['id']}", "DELETE")
