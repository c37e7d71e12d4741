"""Execute a report notebook with papermill and turn it into reviewer HTML with nbconvert."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

KERNEL = "protection-workbench"
CELL_TIMEOUT_S = 600
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _kernel_manager_class(sockets: Path, log: Path, cwd: Path):
    """Kernels of the run talk over local IPC sockets, not TCP ports (nothing listens on the
    network), and write their own messages to ``log`` (in the restricted folder: a kernel's
    warnings may quote data) instead of the scheduler's log.

    Each kernel process starts in ``cwd``: papermill's own ``cwd`` would ``os.chdir`` this
    whole process, which reports running in two threads at once would race on (a relative
    path resolved meanwhile, by any thread, would point into the notebooks' folder)."""
    from jupyter_client.manager import AsyncKernelManager

    class RunKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            # IPC sockets are files named after ``ip``: keep them out of the notebooks folder.
            kwargs.setdefault("ip", str(sockets / "kernel"))
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            handle = open(log, "ab")  # noqa: SIM115 (owned by the kernel process)
            kw.update(stdout=handle, stderr=handle, cwd=str(cwd))
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                handle.close()

    return RunKernelManager


def execute_notebook(source: Path, target: Path, parameters: dict, cwd: Path, log: Path) -> None:
    """Run ``source`` into ``target`` with the parameters it declares (others are dropped);
    the kernel runs in ``cwd``, this process never changes its working directory."""
    import papermill as pm

    source, target, cwd = (Path(p).absolute() for p in (source, target, cwd))
    known = pm.inspect_notebook(str(source))
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbench-kernel-") as sockets:
        pm.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in parameters.items() if k in known},
            kernel_name=KERNEL,
            progress_bar=sys.stderr.isatty(),
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT_S,
            kernel_manager_class=_kernel_manager_class(Path(sockets), log.absolute(), cwd),
        )


def table_links(names: Sequence[str], notebook: str = "") -> list[tuple[str, str]]:
    """(link, title) of each published table file in ``tables/``; the file-name prefix of
    the report's ``notebook`` is left out of the titles."""
    from ..publish.datapackage import report_prefixes, title_of

    prefixes = report_prefixes(notebook) if notebook else ()
    return [(f"tables/{name}", title_of(Path(name).stem, prefixes)) for name in names]


def to_html(
    executed: Path,
    target: Path,
    banner: str = "",
    title: str = "",
    tables: Sequence[tuple[str, str]] = (),
    about: str = "",
) -> None:
    """Reviewer HTML: code hidden, outputs only, self-contained, no script, no network
    request (the reviewer template carries the Content-Security-Policy). ``banner`` is HTML
    built by the caller from escaped parts; ``title`` is the browser tab's title (the
    report's title and week); ``tables`` are (link, title) pairs of the report's published
    tables, listed at the end of the page (the template escapes them); ``about`` is the
    "About this report" section closing the page (HTML of escaped parts, like ``banner``)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="reviewer",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    notebook = nbformat.read(executed, as_version=4)
    if title:
        notebook.metadata["title"] = title  # the browser tab's <title>, not "Notebook"
    resources = {
        "workbench_banner": banner,
        "workbench_tables": list(tables),
        "workbench_about": about,
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    target.write_text(body, "utf-8")
