# The Jupyter server settings `make notebook` starts JupyterLab with
# (--config): one started `rust` kernel kept in reserve, so that opening a
# notebook does not wait for evcxr's start-up. See kernel/warm_pool.py.
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

c = get_config()  # noqa: F821  (provided by Jupyter when it reads this file)
c.ServerApp.kernel_manager_class = "warm_pool.WarmPoolKernelManager"
c.WarmPoolKernelManager.spares = {"rust": 1}
