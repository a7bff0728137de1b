"""Executes one notebook with nbclient (Debian's python3-nbclient) on the given kernel and prints
a JSON summary: per code cell, its execution_count and output types. Usage:
    run_nbclient.py NOTEBOOK KERNEL_NAME   (JUPYTER_PATH must hold the kernelspec)"""
import json
import os
import sys

import nbformat
from nbclient import NotebookClient

path, kernel_name = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, kernel_name=kernel_name, timeout=600, startup_timeout=120, resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
error = None
try:
    client.execute()
except Exception as e:  # report, the test asserts
    error = "%s: %s" % (type(e).__name__, str(e)[:2000])
cells = [
    {"execution_count": c.get("execution_count"), "outputs": [o["output_type"] for o in c.get("outputs", [])], "data": [sorted(o.get("data", {}).keys()) for o in c.get("outputs", [])]}
    for c in nb.cells
    if c.cell_type == "code"
]
print(json.dumps({"error": error, "cells": cells}))
