#!/usr/bin/env python3
"""Starts one evcxr kernel for elastic-vdb's notebooks: `kernel.json` runs this.

1. Removes the working directories of kernels that are gone (a kernel killed
   outright cannot clean up after itself).
2. Makes a directory of this kernel's own (two kernels must never share one,
   or they overwrite each other's generated crate), locks it for the
   kernel's whole life, and copies the prebuilt working directory into it
   (see template.py).
3. Starts a small watcher in its own session, which removes that directory
   when the kernel exits however it exits, stops the kernel if whatever
   started it (Jupyter) is gone (evcxr does not notice), and which, if cargo has to compile
   the library after all (the library was edited, the toolchain changed),
   says so in the notebook cell that is waiting for it, with how long that
   took last time.
4. Becomes evcxr_jupyter (exec), with this project's settings.

Everything it needs is found from this file's own location, so the kernel
works however Jupyter was started: `make notebook`, the virtualenv's own
`jupyter lab`, an editor's notebook front end, or nbclient.

    launch.py CONNECTION_FILE                  (what kernel.json runs)
    launch.py --watch PID PARENT DIR REASON    (the watcher; internal)
"""
import fcntl
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import template as tpl  # noqa: E402  (this folder is not a package)

POLL_SECONDS = 0.5
# A build is over when nothing has compiled for this long (between two
# crates cargo may be running a build script).
QUIET_SECONDS = 3.0
# A directory without its lock file this young is still being set up.
SETTING_UP_SECONDS = 60
# evcxr compiles each cell as a crate of this name.
CELL_CRATE = "ctx"
LIBRARY_CRATE = "elastic_vdb"


def in_use(directory):
    """Whether a kernel still holds the directory's lock. The lock is taken
    by the launcher and kept by evcxr (and its children) after exec, and the
    kernel's end releases it however it ends."""
    lock_path = directory / tpl.KERNEL_LOCK
    try:
        handle = open(lock_path, "rb")
    except FileNotFoundError:
        try:
            return time.time() - directory.stat().st_mtime < SETTING_UP_SECONDS
        except OSError:
            return False
    except OSError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def remove_abandoned(copies):
    for entry in copies.iterdir():
        if entry.name.startswith("kernel-") and entry.is_dir() and not in_use(entry):
            shutil.rmtree(entry, ignore_errors=True)


def children(pid):
    found = []
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            pass
    return found


def descendants(pid):
    pending, seen = [pid], []
    while pending:
        for child in children(pending.pop()):
            seen.append(child)
            pending.append(child)
    return seen


def cmdline(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def crates_compiling(kernel_pid):
    """Names of the crates rustc is compiling for this kernel right now."""
    crates = set()
    for pid in descendants(kernel_pid):
        args = cmdline(pid)
        # A real compilation writes somewhere; cargo's and rust-analyzer's
        # probes (`rustc - --crate-name ___ --print ...`) do not.
        if b"--crate-name" in args and b"--out-dir" in args:
            index = args.index(b"--crate-name")
            if index + 1 < len(args):
                crates.add(args[index + 1].decode(errors="replace"))
    return crates - {CELL_CRATE}


def runner_stderr(kernel_pid):
    """The pipe through which evcxr forwards a cell's error stream to the
    notebook: the standard error of its runner process, a child of the kernel
    marked by EVCXR_IS_RUNTIME. evcxr reads it all the time (its standard
    output only while code runs), so a line written there shows at once in
    the cell being executed, which is the one waiting for the build."""
    for pid in children(kernel_pid):
        try:
            environment = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"EVCXR_IS_RUNTIME=1" in environment:
            return pathlib.Path(f"/proc/{pid}/fd/2")
    return None


def tell(kernel_pid, text):
    """Writes `text` into the waiting cell; False if there is no runner yet.
    Never blocks: a pipe nobody reads any more is given up on."""
    target = runner_stderr(kernel_pid)
    if target is None:
        return False
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        os.write(descriptor, text.encode())
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)


def notice(reason, kind, record):
    took = tpl.load_build_times().get(kind)
    if took is not None:
        estimate = f"the last such build here took {took:.0f} s"
    elif record and record.get("dep_cell_seconds"):
        estimate = (f"when the template was last prepared, this step took "
                    f"{record['dep_cell_seconds']:.0f} s")
    else:
        estimate = "building everything takes about half a minute on two cores"
    what = "the elastic_vdb library" if kind == "library" else "the library and its dependencies"
    return (f"Compiling {what} for this kernel, because {reason}: {estimate}. "
            "Running `make kernel` prepares the template again, and later kernels start in seconds.\n")


def parent_of(pid):
    """The parent process id of `pid`, or None when it is gone."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: count after it.
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]) if len(fields) > 1 else None


def stop_orphan(kernel_pid, parent_pid, since):
    """Stops the kernel once the process that started it is gone (a Jupyter
    server killed, or one that stopped before shutting its kernels down):
    nothing else would, and an idle evcxr runs for ever. SIGTERM to the
    kernel's process group, SIGKILL if it is still there 5 s later. Returns
    when the orphan was first seen."""
    current = parent_of(kernel_pid)
    if current is None or current == parent_pid:
        return since
    now = time.monotonic()
    if since is None or now - since > 5:
        try:
            os.killpg(os.getpgid(kernel_pid), signal.SIGTERM if since is None else signal.SIGKILL)
        except OSError:
            pass
    return now if since is None else since


def watch(kernel_pid, parent_pid, directory, reason):
    """Runs beside the kernel until its lock is free, then removes its
    directory. Says something only about a build of the library (a learner's
    own `:dep` of another crate is not ours to explain), or of everything
    when the toolchain changed, and learns how long such a build takes."""
    record = tpl.read_record()
    toolchain_changed = bool(reason) and "toolchain" in reason
    started, last_seen, kind, told = None, None, None, False
    orphaned = None
    while in_use(directory):
        orphaned = stop_orphan(kernel_pid, parent_pid, orphaned)
        crates = crates_compiling(kernel_pid)
        ours = LIBRARY_CRATE in crates or (toolchain_changed and crates)
        now = time.monotonic()
        if ours:
            if started is None:
                started, told = now, False
                kind = "everything" if toolchain_changed else "library"
            last_seen = now
            if not told:
                told = tell(kernel_pid, notice(reason or "its sources changed", kind, record))
        elif crates and started is not None:
            last_seen = now  # still the same build, on another crate
        elif started is not None and now - last_seen > QUIET_SECONDS:
            tpl.save_build_time(kind, last_seen - started)
            started = None
        time.sleep(POLL_SECONDS)
    shutil.rmtree(directory, ignore_errors=True)


def launch(connection_file):
    env = tpl.kernel_environment()
    copies = tpl.copies_dir()
    remove_abandoned(copies)
    directory = pathlib.Path(tempfile.mkdtemp(prefix=f"kernel-{os.getpid()}-", dir=copies))
    # Kept open (and locked) through exec: the kernel's life is the lock's.
    lock = open(directory / tpl.KERNEL_LOCK, "wb")
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.set_inheritable(lock.fileno(), True)
    tpl.copy_template(directory)
    # Judged on the copy itself (an empty folder when there was nothing to copy).
    reason = tpl.staleness(tpl.toolchain_id(env), template=directory)
    if reason is None:
        # Everything is built: load the library while the kernel starts, so
        # that the notebook's own `:dep` cell has nothing left to do. Never
        # when something must compile or download, which would happen
        # silently here, and a failure would stop the kernel from starting.
        env["EVCXR_CONFIG_DIR"] = str(tpl.write_kernel_config(directory))
    if pathlib.Path("/proc/self/task").exists():
        subprocess.Popen(
            [sys.executable, __file__, "--watch", str(os.getpid()), str(os.getppid()), str(directory),
             reason or ""],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env=env,
        )
    env["EVCXR_TMPDIR"] = str(directory)
    evcxr = str(tpl.EVCXR) if tpl.EVCXR.exists() else "evcxr_jupyter"
    os.execvpe(evcxr, [evcxr, "--control_file", connection_file], env)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--watch":
        watch(int(sys.argv[2]), int(sys.argv[3]), pathlib.Path(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 2:
        launch(sys.argv[1])
    else:
        sys.exit(__doc__)
