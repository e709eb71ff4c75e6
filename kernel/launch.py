#!/usr/bin/env python3
"""Starts one evcxr kernel for elastic-vdb's notebooks: `kernel.json` runs this.

1. Removes the working directories of kernels that are gone (a kernel killed
   outright cannot clean up after itself).
2. Copies the prebuilt working directory (see template.py) into a directory
   of this kernel's own: two kernels must never share one, or they overwrite
   each other's generated crate.
3. Starts a small watcher in its own session, which removes that directory
   when the kernel exits however it exits, and which, if cargo has to compile
   the library or its dependencies after all (the library was edited, the
   toolchain changed), says so in the notebook cell that is waiting for it,
   with how long that took last time.
4. Becomes evcxr_jupyter (exec), with this project's settings.

Everything it needs is found from this file's own location, so the kernel
works however Jupyter was started: `make notebook`, the virtualenv's own
`jupyter lab`, an editor's notebook front end, or nbclient.

    launch.py CONNECTION_FILE                      (what kernel.json runs)
    launch.py --watch PID START DIR REASON         (the watcher; internal)
"""
import os
import pathlib
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import template as tpl  # noqa: E402  (this folder is not a package)

POLL_SECONDS = 0.5
# evcxr compiles each cell as a crate of this name; anything else compiled in
# a kernel's directory is the library or one of its dependencies.
CELL_CRATE = "ctx"


def start_time(pid):
    """The kernel's start time in clock ticks (field 22 of /proc/PID/stat):
    with the pid it names one process, even after the pid is reused."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def owner_alive(name):
    parts = name.split("-")
    if len(parts) != 3 or parts[0] != "kernel":
        return True  # not ours: leave it
    return start_time(parts[1]) == parts[2]


def remove_abandoned(copies):
    for entry in copies.iterdir():
        if entry.is_dir() and not owner_alive(entry.name):
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


def notice(reason, kind, record):
    took = tpl.load_build_times().get(kind)
    if took is not None:
        estimate = f"the last such build here took {took:.0f} s"
    elif record and record.get("dep_cell_seconds"):
        estimate = (f"when the template was last prepared, this step took "
                    f"{record['dep_cell_seconds']:.0f} s")
    else:
        estimate = "building everything takes about a minute on two cores"
    what = "the elastic_vdb library" if kind == "library" else "the library and its dependencies"
    return (f"Compiling {what} for this kernel, because {reason}: {estimate}. "
            "Running `make kernel` prepares the template again, and later kernels start in seconds.\n")


def watch(kernel_pid, kernel_start, directory, reason):
    """Runs beside the kernel until it exits, then removes its directory."""
    record = tpl.read_record()
    building_since, kind, told = None, None, False
    while start_time(kernel_pid) == kernel_start:
        crates = crates_compiling(kernel_pid)
        if crates and building_since is None:
            building_since = time.monotonic()
            kind = "library" if crates == {"elastic_vdb"} else "everything"
            told = False
        if crates and not told:
            if crates - {"elastic_vdb"}:
                kind = "everything"
            target = runner_stderr(kernel_pid)
            if target is not None:
                try:
                    with open(target, "w", encoding="utf-8") as out:
                        out.write(notice(reason or "its sources changed", kind, record))
                    told = True
                except OSError:
                    pass
        if not crates and building_since is not None:
            tpl.save_build_time(kind, time.monotonic() - building_since)
            building_since = None
        time.sleep(POLL_SECONDS)
    shutil.rmtree(directory, ignore_errors=True)


def launch(connection_file):
    env = tpl.kernel_environment()
    copies = tpl.copies_dir()
    remove_abandoned(copies)
    me = os.getpid()
    directory = copies / f"kernel-{me}-{start_time(me)}"
    copied = tpl.copy_template(directory)
    reason = tpl.staleness(tpl.toolchain_id(env)) if copied else (
        "no kernel template has been prepared yet (`make kernel` prepares it)")
    if reason is None:
        # Everything is built: load the library while the kernel starts, so
        # that the notebook's own `:dep` cell has nothing left to do. Never
        # when something must compile, which would happen silently here and
        # could outlast Jupyter's patience with a starting kernel.
        env["EVCXR_CONFIG_DIR"] = str(tpl.write_kernel_config(directory))
    subprocess.Popen(
        [sys.executable, __file__, "--watch", str(me), start_time(me), str(directory), reason or ""],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env=env,
    )
    env["EVCXR_TMPDIR"] = str(directory)
    evcxr = str(tpl.EVCXR) if tpl.EVCXR.exists() else "evcxr_jupyter"
    os.execvpe(evcxr, [evcxr, "--control_file", connection_file], env)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--watch":
        watch(int(sys.argv[2]), sys.argv[3], pathlib.Path(sys.argv[4]), sys.argv[5])
    elif len(sys.argv) == 2:
        launch(sys.argv[1])
    else:
        sys.exit(__doc__)
