"""The prebuilt working directory ("template") that every notebook kernel starts from.

evcxr compiles a notebook's dependencies inside its working directory, which
it normally creates empty for each kernel: that is the minute a fresh kernel
used to take. `install.py` builds one working directory ahead of time, the
way evcxr itself would (same evcxr, same profile, same `:dep` line), and
`launch.py` gives each kernel its own copy of it, so cargo finds everything
already built.

A copy is only useful while cargo would accept it. This module answers that
question the way cargo does: the toolchain and evcxr must be the ones that
built it, no source the compiler read for the library (as listed in its
dep-info file) may be newer than cargo's record of that build, and every
source of every dependency must still be where the template's build read it.

Shared by `install.py` (which prepares the template) and `launch.py` (which
copies it for each kernel); standard library only, so the launcher starts
fast under any Python 3.
"""
import fcntl
import hashlib
import json
import os
import pathlib
import shutil
import stat
import subprocess
import tempfile

KERNEL_DIR = pathlib.Path(__file__).resolve().parent
ROOT = KERNEL_DIR.parent
CACHE = ROOT / ".cache"
TEMPLATE = CACHE / "kernel-template"
RECORD = "elastic-vdb-template.json"
# In each kernel's copy: held locked by the kernel's process for its whole
# life (the descriptor survives exec), so anyone can tell a copy in use from
# one left behind, across pid namespaces and reboots alike.
KERNEL_LOCK = ".kernel.lock"
EVCXR = ROOT / ".tools" / "bin" / "evcxr_jupyter"
EVCXR_CONFIG_DIR = CACHE / "evcxr-config"
# Per-kernel build times learned by the launcher, for the notice a student
# sees when the library has to be compiled again.
BUILD_TIMES = CACHE / "kernel-build-times.json"
# The line every notebook starts with, as evcxr expands it (an absolute,
# canonical path): the template must have been built with exactly this.
DEP_LINE = f":dep elastic_vdb = {{ path = {json.dumps(str(ROOT.resolve()))} }}"
# Held shared while a kernel copies the template, exclusively while
# install.py swaps a new one in: a copy is never half old, half new.
SWAP_LOCK = CACHE / "kernel-template.lock"


def kernel_environment(base=None):
    """The environment a kernel needs, whatever started Jupyter: cargo on PATH,
    and evcxr's settings from this project rather than from a personal
    ~/.config/evcxr (which could change the build profile)."""
    env = dict(os.environ if base is None else base)
    extra = [str(ROOT / ".tools" / "bin"), str(pathlib.Path.home() / ".cargo" / "bin")]
    env["PATH"] = os.pathsep.join(extra + [env.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
    env["EVCXR_CONFIG_DIR"] = str(EVCXR_CONFIG_DIR)
    # Lets evcxr find (and leave alone) this project's kernelspec.
    env.setdefault("JUPYTER_PATH", str(ROOT / ".venv" / "share" / "jupyter"))
    return env


def toolchain_id(env=None):
    """What cargo compares before reusing anything: the compiler's full
    version, cargo's, and the evcxr binary that wrapped them."""
    env = env or kernel_environment()
    parts = []
    for command in (["rustc", "-vV"], ["cargo", "-V"]):
        try:
            parts.append(subprocess.run(command, env=env, capture_output=True, text=True,
                                        check=True, timeout=60).stdout)
        except (OSError, subprocess.SubprocessError) as error:
            parts.append(f"{command[0]} unavailable: {error}")
    try:
        status = EVCXR.stat()
        parts.append(f"evcxr {status.st_size} {status.st_mtime_ns}")
    except OSError:
        parts.append("evcxr missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_record(template=TEMPLATE):
    try:
        return json.loads((template / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def library_dep_info(template=TEMPLATE):
    """The dep-info file rustc wrote when it compiled the library in the
    template: the list of every source it read."""
    found = sorted(template.glob("target/*/debug/deps/elastic_vdb-*.d"), key=lambda path: path.stat().st_mtime_ns)
    return found[-1] if found else None


def prune_old_library_builds(template=TEMPLATE):
    """Removes the library's build products other than the newest: a
    template prepared from a previous one keeps builds it no longer uses
    (after the library's dependencies or its folder changed)."""
    newest = library_dep_info(template)
    if newest is None:
        return
    keep = newest.stem  # elastic_vdb-<hash>
    for folder in template.glob("target/*/debug/*"):
        for path in folder.glob("*elastic_vdb-*"):
            name = path.name.removeprefix("lib")
            if not name.startswith(keep):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def dep_info_sources(path):
    """Paths listed in a Makefile-style dep-info file (`file:` lines)."""
    sources = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.endswith(":") and not line.startswith("#"):
            sources.append(pathlib.Path(line[:-1].replace("\\ ", " ")))
    return sources


def lock_digest():
    """The project's Cargo.lock, recorded with the template. The notebooks'
    build resolves its dependencies in evcxr's own lock file, kept in the
    template, so a changed project lock alone compiles nothing in a kernel;
    `make kernel` prepares the template again after it all the same (a
    changed lock usually comes with a changed Cargo.toml)."""
    try:
        return hashlib.sha256((ROOT / "Cargo.lock").read_bytes()).hexdigest()
    except OSError:
        return None


def build_record_time(dep_info):
    """When cargo recorded the library's build: its fingerprint's dep-info,
    stamped with the time the build started (a source saved during the
    build is newer, and cargo compiles again), or rustc's own file."""
    fingerprint = dep_info.parent.parent / ".fingerprint" / dep_info.stem / "dep-lib-elastic_vdb"
    try:
        return fingerprint.stat().st_mtime_ns
    except OSError:
        return dep_info.stat().st_mtime_ns


def staleness(toolchain=None, template=TEMPLATE):
    """Why a copy of the template would make cargo compile or download
    something, or None if it would not. The reason is a sentence for a
    student to read."""
    try:
        return _staleness(toolchain, template)
    except OSError as error:
        return f"the kernel template could not be read ({error})"


def _staleness(toolchain, template):
    record = read_record(template)
    if record is None:
        return "no kernel template has been prepared yet (`make kernel` prepares it)"
    if record.get("dep_line") != DEP_LINE:
        return "the kernel template was prepared for the library in another folder"
    if record.get("toolchain") != (toolchain or toolchain_id()):
        return "the Rust toolchain or evcxr changed since the kernel template was prepared"
    dep_info = library_dep_info(template)
    if dep_info is None:
        return "the kernel template holds no build of the library"
    built = build_record_time(dep_info)
    for source in dep_info_sources(dep_info) + [ROOT / "Cargo.toml"]:
        try:
            if source.stat().st_mtime_ns > built:
                shown = source.relative_to(ROOT) if source.is_relative_to(ROOT) else source
                return f"{shown} changed since the kernel template was prepared"
        except OSError:
            return f"{source} is gone since the kernel template was prepared"
    # The dependencies' sources, in this user's cargo folder: without them
    # cargo downloads before it can find anything fresh.
    for other in dep_info.parent.glob("*.d"):
        if other.name.startswith("ctx"):
            continue  # the cells' crate, compiled in the template's own folder
        for source in dep_info_sources(other):
            # Files a build script generated are in the target folder of
            # whichever directory built them; cargo finds its own.
            if "target" in source.parts:
                continue
            if not source.exists():
                return f"{source} is missing (cargo will fetch it)"
    return None


# Run by each kernel once the library is loaded: a kept variable and a `?` at
# the top level each cost evcxr a one-off recompile the first time; paid here,
# they are not paid by the first cell that draws a ring. `short_panics` makes
# a panicking cell say what went wrong in one line, without the backtrace
# evcxr asks for (it sets RUST_BACKTRACE=1 for its child process).
PRELUDE = """\
let elastic_vdb_loaded = elastic_vdb::VectorStore::default().len();
"0".parse::<u8>()?;
elastic_vdb::render::short_panics();
"""


def write_kernel_config(directory):
    """An evcxr settings folder for one kernel, inside its own copy: the
    notebooks' `:dep` line as evcxr expands it, and the prelude."""
    config = directory / ".evcxr-config"
    config.mkdir(exist_ok=True)
    (config / "init.evcxr").write_text(DEP_LINE + "\n", encoding="utf-8")
    (config / "prelude.rs").write_text(PRELUDE, encoding="utf-8")
    return config


# evcxr builds every cell as the crate `ctx` with its own profile (opt-level
# 2). A cell only calls into the library, which stays optimised: compiled at
# opt-level 0 a warm cell took 0.22 s instead of 0.37 s here. Cargo reads this
# from a `.cargo/config.toml` in a folder above the kernel's working
# directory (evcxr rewrites the one inside it); nothing else is rebuilt.
CELL_PROFILE = """\
# Written by kernel/template.py: evcxr's per-cell crate compiled unoptimised.
[profile.dev.package.ctx]
opt-level = 0
"""


def write_cell_profile(folder):
    config = folder / ".cargo" / "config.toml"
    try:
        if not config.exists() or config.read_text(encoding="utf-8") != CELL_PROFILE:
            config.parent.mkdir(parents=True, exist_ok=True)
            temporary = config.with_name(f"config.toml.{os.getpid()}")
            temporary.write_text(CELL_PROFILE, encoding="utf-8")
            temporary.replace(config)
    except OSError:
        pass  # only slower cells


def private_folder(path):
    """`path` as a folder only this user can write to, or None: a folder in a
    shared temporary directory could otherwise be made in advance by someone
    else, with a cargo configuration that runs their code in our builds."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        status = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid() and not status.st_mode & 0o022:
        return path
    return None


def copies_dir():
    """Where each kernel's own copy lives: inside the project, or, when the
    project folder is read-only (one installation shared by every user of a
    JupyterHub), in a private folder of the user's temporary directory."""
    inside = CACHE / "kernels"
    try:
        inside.mkdir(parents=True, exist_ok=True)
        if os.access(inside, os.W_OK | os.X_OK):
            write_cell_profile(inside)
            return inside
    except OSError:
        pass
    temporary = pathlib.Path(tempfile.gettempdir())
    folder = private_folder(temporary / f"elastic-vdb-kernels-{os.getuid()}") or pathlib.Path(
        tempfile.mkdtemp(prefix="elastic-vdb-kernels-"))
    write_cell_profile(folder)
    return folder


def locked(path, exclusive):
    """An open file holding a shared or exclusive lock on `path` (released
    when closed), or None where no lock can be had (a read-only folder
    without the lock file)."""
    try:
        handle = open(path, "a+b") if os.access(path.parent, os.W_OK) else open(path, "rb")
    except OSError:
        return None
    fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    return handle


def copy_template(destination, template=TEMPLATE):
    """Copies the template into `destination`, an existing folder holding at
    most the kernel's lock file, keeping modification times (cargo's
    freshness test reads them). Leaves the folder as it was when there is no
    template or the copy fails: evcxr then simply builds everything, as it
    would without us, and staleness() of the folder says why."""
    lock = locked(SWAP_LOCK, exclusive=False) if template == TEMPLATE else None
    try:
        if read_record(template) is None:
            return
        result = subprocess.run(["cp", "-a", f"{template}/.", str(destination)], capture_output=True)
        if result.returncode == 0:
            return
    finally:
        if lock is not None:
            lock.close()
    for entry in destination.iterdir():
        if entry.name == KERNEL_LOCK:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def load_build_times():
    try:
        return json.loads(BUILD_TIMES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_build_time(kind, seconds):
    times = load_build_times()
    times[kind] = round(seconds, 1)
    try:
        temporary = BUILD_TIMES.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(times, indent=1), encoding="utf-8")
        temporary.replace(BUILD_TIMES)
    except OSError:
        pass
