"""A Jupyter server's kernel manager that keeps a started `rust` kernel in
reserve, so that opening a notebook gets a kernel that has already done
evcxr's own start-up work (about 9 s here even from the prebuilt template:
evcxr's rust-analyzer, loading the library, the first `?` cell).

The spare is an ordinary, unused kernel started the way any other is
(kernel/launch.py, its own working directory), in the server's root folder;
it is not listed among the running kernels until it is handed out, and the
next one is started `refill_delay` seconds later. A restart takes the spare
too: the old kernel is shut down and the spare takes its id, so the restart
brings new ports and a new key, which JupyterLab handles (it reconnects after
every restart) and jupyter_server expects (it watches the new ports). A
request the spare cannot serve (another kernel, another folder, a chosen
kernel id, a spare that failed to start) starts a kernel the usual way. The
spares are shut down with the server.

`make notebook` turns it on through kernel/jupyter_server_config.py; for a
JupyterHub, see the README.
"""
import asyncio
import contextlib
import os
import time
import uuid
from dataclasses import dataclass, field

from jupyter_client.multikernelmanager import MultiKernelManager
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import IOLoop
from traitlets import Dict, Float, Integer


@dataclass
class Spare:
    kernel_id: str
    manager: object
    cwd: str
    task: asyncio.Task | None = None
    # Done once the kernel's process is launched (its ports known), before
    # it is ready: what a kernel started on request has when the server
    # hands it to the client.
    launched: asyncio.Future = field(default_factory=lambda: asyncio.get_event_loop().create_future())


class _RestartFromSpare(MultiKernelManager):
    """jupyter_server's manager calls its "pinned superclass"
    (MultiKernelManager) to restart a kernel, then waits for the kernel's
    kernel_info reply and watches its activity again, on new ports if they
    changed. Standing in for that superclass, this restart gives the
    kernel's place to a ready spare when one can serve it, and leaves the
    rest of the server's restart as it is."""

    async def _async_restart_kernel(self, kernel_id, now=False):
        if not await self._restart_from_spare(kernel_id, now):
            await MultiKernelManager._async_restart_kernel(self, kernel_id, now=now)


class WarmPoolKernelManager(AsyncMappingKernelManager):
    spares = Dict(
        value_trait=Integer(),
        default_value={},
        config=True,
        help="How many started kernels to keep in reserve, by kernel name, e.g. {'rust': 1}.",
    )
    refill_delay = Float(
        5.0,
        config=True,
        help="Seconds between handing a spare out and starting the next one, so that "
        "the new kernel's first cells do not share the processor with a start-up.",
    )
    ready_timeout = Float(
        120.0,
        config=True,
        help="Seconds a spare may take to answer its first kernel_info request.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pinned_superclass = _RestartFromSpare
        self._reserve = {}
        self._closing = False
        IOLoop.current().add_callback(self._refill)

    def _refill(self):
        if self._closing:
            return
        for name, wanted in self.spares.items():
            reserve = self._reserve.setdefault(name, [])
            while len(reserve) < wanted:
                reserve.append(self._start_spare(name))

    def _start_spare(self, name):
        kernel_id = str(uuid.uuid4())
        manager = self.kernel_manager_factory(
            connection_file=os.path.join(self.connection_dir, f"kernel-{kernel_id}.json"),
            parent=self,
            log=self.log,
            kernel_name=name,
            **({"kernel_spec_manager": self.kernel_spec_manager} if self.kernel_spec_manager else {}),
        )
        spare = Spare(kernel_id, manager, self.cwd_for_path(""))
        spare.task = asyncio.ensure_future(self._warm(spare))
        return spare

    async def _warm(self, spare):
        """Starts the spare and waits for its first kernel_info reply, which
        evcxr sends only once its start-up settings (the library, the
        prelude) have run."""
        started = time.monotonic()
        try:
            await spare.manager.start_kernel(kernel_id=spare.kernel_id, cwd=spare.cwd,
                                             **self._kernel_start_kwargs())
        except BaseException as error:
            if not spare.launched.done():
                spare.launched.set_exception(error)
            raise
        spare.launched.set_result(None)
        client = spare.manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=self.ready_timeout)
        finally:
            client.stop_channels()
        self.log.info("Spare %s kernel %s is ready, after %.1f s",
                      spare.manager.kernel_name, spare.kernel_id, time.monotonic() - started)

    def _take(self, name, kwargs):
        """The spare that can serve this start, or None."""
        if "kernel_id" in kwargs or self._closing:
            return None
        reserve = self._reserve.get(name, [])
        for spare in list(reserve):
            if spare.task.done() and (spare.task.cancelled() or spare.task.exception()):
                reserve.remove(spare)
                self.log.warning("Spare %s kernel %s failed to start: %s", name, spare.kernel_id,
                                 "cancelled" if spare.task.cancelled() else spare.task.exception())
                asyncio.ensure_future(self._discard(spare))
                continue
            if spare.cwd == kwargs.get("cwd", spare.cwd):
                reserve.remove(spare)
                return spare
        return None

    def pre_start_kernel(self, kernel_name, kwargs):
        name = kernel_name or self.default_kernel_name
        spare = self._take(name, kwargs)
        if spare is None:
            return super().pre_start_kernel(kernel_name, kwargs)
        task, launched = spare.task, spare.launched

        async def started(**_launch_arguments):
            # Only the launch, as for any kernel started on request: a
            # client that waited here for the kernel to be ready would have
            # a session without a kernel meanwhile, and JupyterLab silently
            # skips cells run in such a session (Run All did nothing). The
            # client waits for readiness itself, with its cells queued.
            await launched

        # The caller starts the kernel it is given: this one is started
        # already (or on its way), so starting it means waiting for that.
        spare.manager.start_kernel = started
        self.log.info("Handing out spare %s kernel %s (%s)", name, spare.kernel_id,
                      "ready" if task.done() else "still starting")
        IOLoop.current().call_later(self.refill_delay, self._refill)
        return spare.manager, name, spare.kernel_id

    async def _restart_from_spare(self, kernel_id, now):
        """Shuts the kernel down and puts a spare in its place, under its id
        and connection file name; False (nothing done) when no spare can."""
        old = self.get_kernel(kernel_id)
        spare = self._take(old.kernel_name, {"cwd": (old._launch_args or {}).get("cwd")})
        if spare is None:
            return False
        try:
            await spare.task
        except Exception as error:
            self.log.warning("Spare %s kernel %s failed to start: %s", old.kernel_name, spare.kernel_id, error)
            asyncio.ensure_future(self._discard(spare))
            return False
        new = spare.manager
        self.stop_watching_activity(kernel_id)
        old.stop_restarter()
        await old.shutdown_kernel(now=now)
        with contextlib.suppress(OSError):
            os.replace(new.connection_file, old.connection_file)
            new.connection_file = old.connection_file
        new.kernel_id = kernel_id
        new.execution_state, new.reason, new.last_activity = "idle", "", utcnow()
        self._kernels[kernel_id] = new
        self.add_restart_callback(kernel_id, lambda: self._handle_kernel_died(kernel_id), "dead")
        self.log.info("Restarted kernel %s as spare %s", kernel_id, spare.kernel_id)
        IOLoop.current().call_later(self.refill_delay, self._refill)
        return True

    async def _discard(self, spare, now=False):
        if spare.task is not None and not spare.task.done():
            spare.task.cancel()
        with contextlib.suppress(BaseException):
            await spare.task
        with contextlib.suppress(Exception):
            if spare.manager.has_kernel:
                await spare.manager.shutdown_kernel(now=now)

    async def shutdown_all(self, now=False):
        self._closing = True
        spares = [spare for reserve in self._reserve.values() for spare in reserve]
        self._reserve = {}
        # A server whose event loop stops before this has run (it happens:
        # jupyter_server 2.21 can stop while its extensions are shutting
        # down) leaves its kernels to launch.py's watcher, which stops a
        # kernel whose parent is gone.
        await asyncio.gather(*(self._discard(spare, now=True) for spare in spares))
        await super().shutdown_all(now=now)
