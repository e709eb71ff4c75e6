"""One kernel driven through jupyter_client: started from a kernelspec in a
folder (or asked of a Jupyter server), its cells run with their outputs
collected.

Used by install.py to run the template's warm-up cells, and by the kernel
tests and the timing script under tests/notebooks/. Not by launch.py, which
must start without jupyter_client.
"""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from jupyter_client import BlockingKernelClient, KernelManager

SERVER_CONFIG = pathlib.Path(__file__).resolve().parent / "jupyter_server_config.py"


@dataclass
class Cell:
    """What one executed cell showed."""

    text: str = ""
    """Its standard output and the text/plain form of its results."""
    stderr: str = ""
    errors: str = ""
    """Error outputs, or the reply when it was not "ok" without one."""
    shown: set = field(default_factory=set)
    """The mime types of its results and displays."""
    seconds: float = 0.0
    """From sending the cell to its reply."""
    first_stderr_after: float | None = None
    """When its first stderr line arrived, in seconds after sending it."""


class Kernel:
    def __init__(self, spec, cwd, env=None, wait=True):
        self.manager = KernelManager()
        self.manager._kernel_spec = spec
        self.manager.start_kernel(cwd=str(cwd), **({"env": env} if env is not None else {}))
        self.client = self.manager.client()
        self.client.start_channels()
        if wait:
            self.wait()

    @classmethod
    def connect(cls, connection_file):
        """A kernel someone else started (a Jupyter server), through its
        connection file; stop() only disconnects."""
        kernel = cls.__new__(cls)
        kernel.manager = None
        kernel.client = BlockingKernelClient()
        kernel.client.load_connection_file(str(connection_file))
        kernel.client.start_channels()
        kernel.wait()
        return kernel

    def wait(self):
        self.client.wait_for_ready(timeout=120)

    def run(self, code, timeout=1200):
        cell = Cell()
        text, stderr, errors = [], [], []
        started = time.monotonic()

        def output(message):
            kind, content = message["msg_type"], message["content"]
            if kind in ("execute_result", "display_data"):
                cell.shown.update(content["data"])
                text.append(content["data"].get("text/plain", ""))
            elif kind == "stream" and content["name"] == "stderr":
                if cell.first_stderr_after is None:
                    cell.first_stderr_after = time.monotonic() - started
                stderr.append(content["text"])
            elif kind == "stream":
                text.append(content["text"])
            elif kind == "error":
                errors.append(content["evalue"])

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=output)
        cell.seconds = time.monotonic() - started
        if reply["content"]["status"] != "ok" and not errors:
            errors.append(str(reply["content"]))
        cell.text, cell.stderr, cell.errors = "".join(text), "".join(stderr), "".join(errors)
        return cell

    def stop(self, now=False):
        self.client.stop_channels()
        if self.manager is not None:
            self.manager.shutdown_kernel(now=now)


class JupyterServer:
    """A Jupyter server on a free local port, started with the settings
    `make notebook` gives JupyterLab (kernel/jupyter_server_config.py: a warm
    `rust` kernel in reserve), its log in `runtime`."""

    def __init__(self, root, runtime, *arguments):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.runtime, self.token = pathlib.Path(runtime), "elastic-vdb"
        self.log_path = self.runtime / "server.log"
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(self.runtime))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ip", "127.0.0.1",
                 f"--port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                 f"--ServerApp.root_dir={root}", f"--config={SERVER_CONFIG}", *arguments],
                stdout=log, stderr=subprocess.STDOUT, env=env)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_up(self, timeout=60):
        """Waits until the server answers; whether it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.request("GET", "/api/status")
                return True
            except OSError:
                time.sleep(0.2)
        return False

    def ready_spares(self):
        """Ids of the spare kernels that became ready, in order."""
        return re.findall(r"Spare \S+ kernel (\S+) is ready", self.log())

    def request(self, method, path, body=None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=180) as response:
            text = response.read()
        return json.loads(text) if text else None

    def start_kernel(self, name="rust", path=""):
        """Asks for a kernel as JupyterLab does when a notebook opens; its id."""
        return self.request("POST", "/api/kernels", {"name": name, "path": path})["id"]

    def kernel(self, kernel_id):
        return Kernel.connect(self.runtime / f"kernel-{kernel_id}.json")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
