#!/usr/bin/env python3
"""The notebook kernel as a learner meets it: started from the prebuilt
template, alone or beside another, restarted, from a sub-folder, killed,
left behind by a Jupyter that died, handed out from the Jupyter server's warm
spare (kernel/warm_pool.py), and after the library was edited. Run by
`make test` after `make kernel`.

"Compiled nothing" is checked without timing anything: cargo leaves every
build product of the library and its dependencies untouched when it finds
them fresh, so after the kernel's first cells its working directory must hold
exactly the template's files (same names, sizes and modification times),
apart from what evcxr builds for the cells themselves (the crate `ctx`).
The last case shows that this check catches a rebuild.

    python tests/notebooks/kernel_test.py
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "kernel"))
import template as tpl  # noqa: E402
from session import JupyterServer, Kernel  # noqa: E402

FIRST_CELLS = [
    ':dep elastic_vdb = { path = ".." }',
    "use elastic_vdb::prelude::*;",
    "let mut db = VectorStore::default();\ndb.add_vectors(6000)?;\ndb.add_node(\"nodeA\")?",
]
WHERE = 'std::env::var("EVCXR_TMPDIR").unwrap_or_default()'

passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok   {what}", flush=True)
    else:
        failed += 1
        print(f"  FAIL {what}", flush=True)
    return ok


def directory_of(kernel):
    """The kernel's working directory, as the kernel itself sees it."""
    cell = kernel.run(WHERE)
    return pathlib.Path(json.loads(cell.text)) if not cell.errors and cell.text.startswith('"') else None


def rust_spec():
    return KernelSpecManager().get_kernel_spec("rust")


def build_products(directory):
    """What cargo built for the library and its dependencies in a working
    directory, under target/ for the kernel's target and the host (build
    scripts, proc macros): name -> (size, mtime), leaving out the cells' own
    crate and the libraries evcxr loads from it."""
    products = {}
    target = directory / "target"
    for path in target.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(target)
        if any(part.startswith(("ctx", "libctx", "libcode_")) for part in relative.parts):
            continue
        if relative.name == ".rustc_info.json":
            continue  # cargo's cache of `rustc -vV`, not a build product
        stat = path.stat()
        products[str(relative)] = (stat.st_size, stat.st_mtime_ns)
    return products


def rebuilt(directory, template=tpl.TEMPLATE):
    """Build products that differ from the template's (changed, added or gone)."""
    ours, theirs = build_products(directory), build_products(template)
    return sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))


def crates(names):
    """The crate names among build products, e.g. {'elastic_vdb'}: the part
    after deps/, .fingerprint/, build/ or incremental/."""
    found = set()
    for name in names:
        parts = pathlib.Path(name).parts
        for index, part in enumerate(parts[:-1]):
            if part in ("deps", ".fingerprint", "build", "incremental"):
                found.add(parts[index + 1].removeprefix("lib").rsplit("-", 1)[0].split(".")[0])
                break
        else:
            found.add(name)
    return found


def wait_gone(path, seconds=15):
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return not path.exists()


def first_ring(kernel, label):
    shown_ring = True
    for code in FIRST_CELLS:
        cell = kernel.run(code)
        if cell.errors or cell.stderr:
            return check(False, f"{label}: {code.splitlines()[0]!r} failed: {cell.errors or cell.stderr}")
        if code is FIRST_CELLS[-1]:
            shown_ring = "image/svg+xml" in cell.shown
    return check(shown_ring, f"{label}: the first cells ran and drew a ring")


def test_template_used():
    print("a fresh kernel starts from the template and compiles nothing of the library")
    record = tpl.read_record()
    if not check(record is not None and tpl.staleness() is None, "the template is prepared and current"):
        return
    # Started with next to nothing in its environment, as an editor or a
    # JupyterHub might start it: the launcher must find cargo, evcxr and the
    # template by itself.
    bare = {"HOME": os.environ.get("HOME", "/root"), "PATH": "/usr/bin:/bin"}
    kernel = Kernel(rust_spec(), ROOT / "notebooks", env=bare)
    try:
        directory = directory_of(kernel)
        check(directory is not None and directory.parent == tpl.copies_dir()
              and directory.name.startswith("kernel-"), f"the kernel works in its own copy ({directory})")
        first_ring(kernel, "fresh kernel")
        changed = rebuilt(directory)
        check(not changed, f"no build product of the library or its dependencies changed ({changed[:5]})")
        cargo_toml = (directory / "Cargo.toml").read_text(encoding="utf-8")
        check(f'path = "{ROOT.resolve()}"' in cargo_toml, "the kernel's crate depends on this folder's library")
    finally:
        kernel.stop()
    check(wait_gone(directory), "its copy is removed when the kernel shuts down")


def test_two_at_once():
    print("two notebooks open at once")
    first, second = Kernel(rust_spec(), ROOT / "notebooks", wait=False), Kernel(rust_spec(), ROOT / "notebooks", wait=False)
    # Both launchers run at the same time, as when two notebooks are opened
    # together, before either kernel answers.
    for kernel in (first, second):
        kernel.wait()
    try:
        directories = [directory_of(first), directory_of(second)]
        check(directories[0] != directories[1], "each kernel has its own working directory")
        # Interleaved, as two learners would run them.
        for code in FIRST_CELLS:
            for kernel in (first, second):
                kernel.run(code)
        counts = [kernel.run("db.distribution()").text for kernel in (first, second)]
        check(counts[0] == counts[1] == '{"nodeA": 6000}', f"both hold their own store ({counts})")
        for directory in directories:
            check(not rebuilt(directory), f"nothing was rebuilt in {directory.name}")
    finally:
        first.stop()
        second.stop()


def test_restart():
    print("a kernel restart")
    kernel = Kernel(rust_spec(), ROOT / "notebooks")
    try:
        before = directory_of(kernel)
        kernel.manager.restart_kernel(now=False)
        kernel.wait()
        after = directory_of(kernel)
        check(after is not None and after != before, "the restarted kernel has a new working directory")
        check(wait_gone(before), "the old one is removed")
        first_ring(kernel, "restarted kernel")
        check(not rebuilt(after), "nothing was rebuilt after the restart")
    finally:
        kernel.stop()


def test_sub_folder():
    print("a notebook in a sub-folder")
    sub = pathlib.Path(tempfile.mkdtemp(prefix="sub-", dir=ROOT / "notebooks"))
    kernel = Kernel(rust_spec(), sub)
    try:
        cell = kernel.run(':dep elastic_vdb = { path = "../.." }')
        check(not cell.errors and not cell.stderr, f"`:dep` with path ../.. works ({cell.errors or cell.stderr})")
        cell = kernel.run("elastic_vdb::VectorStore::default().ring_view()")
        check(not cell.errors and "image/svg+xml" in cell.shown, "it draws a ring")
        check(not rebuilt(directory_of(kernel)), "nothing was rebuilt")
    finally:
        kernel.stop()
        shutil.rmtree(sub, ignore_errors=True)


def test_killed_and_abandoned():
    print("a killed kernel and a copy left by a crash")
    copies = tpl.copies_dir()
    # One left with its lock file (nobody holds the lock any more), one from
    # before the kernel had locked it, an hour old.
    abandoned = copies / "kernel-999999999-left"
    abandoned.mkdir(exist_ok=True)
    (abandoned / tpl.KERNEL_LOCK).touch()
    unlocked = copies / "kernel-999999998-unlocked"
    unlocked.mkdir(exist_ok=True)
    os.utime(unlocked, (time.time() - 3600, time.time() - 3600))
    kernel = Kernel(rust_spec(), ROOT / "notebooks")
    directory = directory_of(kernel)
    check(not abandoned.exists() and not unlocked.exists(), "a new kernel removes copies whose kernel is gone")
    kernel.stop(now=True)  # SIGKILL to the kernel's process group
    check(wait_gone(directory), "a killed kernel's copy is removed all the same")


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return pathlib.Path(f"/proc/{pid}/stat").exists() and " Z " not in pathlib.Path(f"/proc/{pid}/stat").read_text()


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


ORPHAN_PARENT = """
import pathlib, sys
sys.path.insert(0, sys.argv[1])
from session import Kernel
from jupyter_client.kernelspec import KernelSpecManager
kernel = Kernel(KernelSpecManager().get_kernel_spec("rust"), sys.argv[2])
print("kernel pid", kernel.manager.provisioner.pid, flush=True)
sys.stdin.read()
"""


def test_parent_gone():
    print("a kernel whose Jupyter died")
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_PARENT, str(ROOT / "kernel"), str(ROOT / "notebooks")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    # The kernel shares this pipe (evcxr prints a line of its own).
    pid = next((int(line.split()[-1]) for line in parent.stdout if line.startswith("kernel pid ")), 0)
    directories = [path for path in tpl.copies_dir().iterdir() if path.name.startswith(f"kernel-{pid}-")]
    check(alive(pid) and len(directories) == 1, f"the kernel runs (pid {pid}) in its own copy")
    parent.kill()  # SIGKILL: the parent cannot shut its kernel down
    parent.wait()
    check(wait_until(lambda: not alive(pid), 20), "the kernel stops once its parent is gone")
    check(all(wait_gone(directory) for directory in directories), "and its copy is removed")


def kernel_pids():
    """Process ids of evcxr kernels started through launch.py (their working
    directory is a copy under tpl.copies_dir())."""
    found = []
    for path in tpl.copies_dir().glob("kernel-*"):
        match = re.match(r"kernel-(\d+)-", path.name)
        if match and alive(int(match.group(1))):
            found.append(int(match.group(1)))
    return found


def test_warm_spare():
    print("the Jupyter server's warm spare (kernel/warm_pool.py)")
    before = set(kernel_pids())
    with tempfile.TemporaryDirectory() as runtime:
        server = JupyterServer(ROOT / "notebooks", runtime, "--WarmPoolKernelManager.refill_delay=0")
        try:
            # Asked for while the spare is still starting: handed out as soon
            # as it is launched, as a kernel started on request is, so that
            # the client holds a kernel to queue its cells on (JupyterLab
            # silently skipped a Run All made while it held none).
            if not check(server.wait_up(), "the server answers"):
                print(server.log()[-3000:])
                return
            early = server.start_kernel()
            log = server.log()
            if f"Handing out spare rust kernel {early} (still starting)" in log:
                check(early not in server.ready_spares(), "a kernel asked for while the spare starts is the "
                      "spare, handed out before it is ready")
            else:
                print(f"  (the spare was ready before it was asked for; that case is not covered this run)\n{log[-1500:]}")
            early_kernel = server.kernel(early)
            first_ring(early_kernel, "the spare handed out while starting")
            early_kernel.stop()
            server.request("DELETE", f"/api/kernels/{early}")

            def ready_spares():
                return [kernel_id for kernel_id in server.ready_spares() if kernel_id != early]

            if not check(wait_until(ready_spares, 120), "a spare `rust` kernel is started with the server"):
                print(server.log()[-3000:])
                return
            spare = ready_spares()[0]
            check(server.request("GET", "/api/kernels") == [], "the spare is not listed among the running kernels")
            check(server.start_kernel() == spare, "a new kernel for a notebook in the root folder is the spare")
            check(f"Handing out spare rust kernel {spare} (ready)" in server.log(), "handed out ready")
            kernel = server.kernel(spare)
            first_ring(kernel, "the spare")
            check(not rebuilt(directory_of(kernel)), "nothing was rebuilt")
            check(wait_until(lambda: len(ready_spares()) == 2, 120), "the next spare is started")
            listed = [model["id"] for model in server.request("GET", "/api/kernels")]
            check(listed == [spare], f"still only the handed-out kernel is listed ({listed})")
            sub = pathlib.Path(tempfile.mkdtemp(prefix="sub-", dir=ROOT / "notebooks"))
            try:
                other = server.start_kernel(path=sub.name)
                check(other not in ready_spares(), "a kernel for another folder is not the spare")
                server.request("DELETE", f"/api/kernels/{other}")
            finally:
                shutil.rmtree(sub, ignore_errors=True)
            # Restarted as JupyterLab restarts: the REST call, then a new
            # connection (the spare brings its own ports and key).
            second = ready_spares()[1]
            old_directory = directory_of(kernel)
            server.request("POST", f"/api/kernels/{spare}/restart")
            kernel.stop()
            check(f"Restarted kernel {spare} as spare {second}" in server.log(), "a restart takes the next spare")
            kernel = server.kernel(spare)
            first_ring(kernel, "the restarted kernel")
            check(directory_of(kernel) != old_directory and wait_gone(old_directory),
                  "the old kernel is gone, with its copy")
            listed = [model["id"] for model in server.request("GET", "/api/kernels")]
            check(listed == [spare], f"listed under its old id only ({listed})")
            kernel.stop()
        finally:
            server.stop()
        check(wait_until(lambda: set(kernel_pids()) <= before, 30),
              "when the server stops, its kernels and its spare stop, and their copies are removed")


def scratch_project():
    """A copy of the library, its launcher and the template in a temporary
    folder, to edit without touching this checkout."""
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="elastic-vdb-kernel-test-"))
    for name in ("Cargo.toml", "Cargo.lock", "README.md"):
        shutil.copy2(ROOT / name, scratch / name)
    for name in ("src", "cli", "benches", "kernel"):
        shutil.copytree(ROOT / name, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
    (scratch / "notebooks").mkdir()
    (scratch / ".tools").symlink_to(ROOT / ".tools")
    (scratch / ".cache").mkdir()
    subprocess.run(["cp", "-a", str(tpl.TEMPLATE), str(scratch / ".cache" / "kernel-template")], check=True)
    return scratch


def test_library_edited():
    print("the library edited while Jupyter runs: the next kernel compiles it, and says so")
    scratch = scratch_project()
    try:
        install = subprocess.run([sys.executable, str(scratch / "kernel" / "install.py"),
                                  "--kernelspec", str(scratch / "kernelspec")],
                                 capture_output=True, text=True)
        if not check(install.returncode == 0 and "preparing, because the kernel template was prepared for the library "
                     "in another folder" in install.stdout, "make kernel's step prepares the moved library's template"):
            print(install.stdout[-2000:], install.stderr[-2000:])
            return
        spec = KernelSpec(**json.loads((scratch / "kernelspec" / "kernel.json").read_text()))
        template = scratch / ".cache" / "kernel-template"

        kernel = Kernel(spec, scratch / "notebooks")
        try:
            first_ring(kernel, "kernel on the prepared template")
            check(not rebuilt(directory_of(kernel), template), "it compiled nothing")
        finally:
            kernel.stop()

        library = scratch / "src" / "lib.rs"
        library.write_text(library.read_text(encoding="utf-8")
                           + "\n/// Added by the kernel test.\npub fn kernel_test_marker() -> u32 {\n    42\n}\n",
                           encoding="utf-8")
        kernel = Kernel(spec, scratch / "notebooks")
        try:
            cell = kernel.run(':dep elastic_vdb = { path = ".." }')
            check(not cell.errors, f"the `:dep` cell compiles the edited library ({cell.errors[:300]})")
            check("Compiling the elastic_vdb library for this kernel, because src/lib.rs changed" in cell.stderr
                  and " s. " in cell.stderr, f"the cell says why it is compiling, and for how long ({cell.stderr[:300]!r})")
            # Not a timing test: the notice must come while the learner waits,
            # not with the result, and the compile takes many seconds.
            notice, took = cell.first_stderr_after, cell.seconds
            check(notice is not None and notice < took - 1,
                  f"the notice came while the cell was running ({notice or 0:.1f} s into a {took:.1f} s cell)")
            cell = kernel.run("elastic_vdb::kernel_test_marker()")
            check(cell.text.strip() == "42", f"the kernel uses the edited library ({cell.text!r} {cell.errors[:200]})")
            changed = crates(rebuilt(directory_of(kernel), template))
            check(changed == {"elastic_vdb"}, f"the compiled-nothing check sees the rebuild, of the library only ({changed})")
        finally:
            kernel.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    started = time.monotonic()
    for test in (test_template_used, test_two_at_once, test_restart, test_sub_folder,
                 test_killed_and_abandoned, test_parent_gone, test_warm_spare, test_library_edited):
        try:
            test()
        except Exception as error:  # a test that crashes fails, and the others still run
            check(False, f"{test.__name__} raised {type(error).__name__}: {error}")
    print(f"kernel: {passed} passed, {failed} failed in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
