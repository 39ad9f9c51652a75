#!/usr/bin/python3
"""Execute one notebook with Deno's Jupyter kernel and write it back with its outputs.

    /usr/bin/python3 notebooks/execute.py IN.ipynb OUT.ipynb [--timeout 300] [--kernel deno]

Not `jupyter nbconvert --execute`: Deno's kernel may report a cell `idle` before that cell's
outputs, and nbclient would lose them; here IOPub is read after each `idle` until it has
been quiet for DRAIN_QUIET seconds (at most DRAIN_MAX). Exit status: 0 every cell ran; 1 a
cell raised; 2 the kernel died or could not start; 3 a cell ran past --timeout; 4 IN is not
a valid nbformat-4 notebook. OUT is written in every case but 2 and 4.
"""
import argparse
import os
import sys
from queue import Empty
from time import monotonic

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import (CellExecutionComplete, CellExecutionError, CellTimeoutError,
                                 DeadKernelError)
from nbclient.util import ensure_async

DRAIN_QUIET = 0.2
DRAIN_MAX = 3.0


class DenoClient(NotebookClient):
    """nbclient's client, waiting for the late outputs of Deno's kernel after each cell."""

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
        deadline = monotonic() + DRAIN_MAX
        while monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=DRAIN_QUIET))
            except Empty:
                return
            if (msg["parent_header"].get("msg_id") == parent_msg_id
                    and msg["msg_type"] not in ("status", "execute_input")):
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def merge_streams(nb):
    """Adjacent outputs of the same stream become one, as nbconvert's coalesce_streams."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.get("outputs", []):
            if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                    and merged[-1].name == out.name):
                merged[-1].text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a cell may run")
    parser.add_argument("--kernel", default="deno", help="kernelspec name")
    args = parser.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        print(f"execute.py: {args.input} is not a valid notebook: {str(e).splitlines()[0]}",
              file=sys.stderr)
        return 4
    os.environ["NO_COLOR"] = "1"
    # No timestamps in the cells' metadata: a notebook run again differs only where it must.
    client = DenoClient(nb, timeout=args.timeout, startup_timeout=60, kernel_name=args.kernel,
                        record_timing=False,
                        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.input))}})
    status = 0
    try:
        client.execute()
    except CellTimeoutError as e:
        print(f"execute.py: {args.input}: a cell ran past {args.timeout} s: {e}", file=sys.stderr)
        status = 3
    except CellExecutionError as e:
        print(f"execute.py: {args.input}: a cell raised:\n{e}", file=sys.stderr)
        status = 1
    except (DeadKernelError, RuntimeError) as e:
        print(f"execute.py: {args.input}: the kernel failed: {e}", file=sys.stderr)
        return 2
    merge_streams(nb)
    nbformat.write(nb, args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())
