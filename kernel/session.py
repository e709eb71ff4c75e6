"""One kernel driven through jupyter_client: started from a kernelspec in a
folder, its cells run with their outputs collected.

Used by install.py to run the template's warm-up cells, and by the kernel
tests and the timing script under tests/notebooks/. Not by launch.py, which
must start without jupyter_client.
"""
import time
from dataclasses import dataclass, field

from jupyter_client import KernelManager


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
        self.manager.shutdown_kernel(now=now)
