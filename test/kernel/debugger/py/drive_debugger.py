"""Drives the enginelab kernel's debugger over the wire with Debian's jupyter_client, the way
ipykernel's own debugger tests do (debug_request on control, debug_event on iopub), and prints
what it observed as one JSON object for the vitest suite. Usage:
    drive_debugger.py KERNEL_NAME ENGINE_SOURCE MARKER_TEXT   (JUPYTER_PATH holds the kernelspec)
The engine breakpoint goes on the line of ENGINE_SOURCE that contains MARKER_TEXT."""
import atexit
import json
import signal
import sys
import time

from jupyter_client.manager import KernelManager

try:  # ipykernel's own MurmurHash2, as an independent check of the cell file names
    from ipykernel.compiler import murmur2_x86
except ImportError:  # pragma: no cover
    murmur2_x86 = None

name, engine_source, marker = sys.argv[1], sys.argv[2], sys.argv[3]
facts = {}
km = KernelManager(kernel_name=name)
km.start_kernel()
c = km.client()
c.start_channels()
c.wait_for_ready(timeout=90)


@atexit.register
def _never_leak_the_kernel():
    if km.is_alive():
        km.shutdown_kernel(now=True)


# A timeout's SIGTERM must still run the atexit hook above.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))


seq = [0]
events = []


def pump_iopub(timeout):
    try:
        m = c.get_iopub_msg(timeout=timeout)
    except Exception:
        return None
    if m["msg_type"] == "debug_event":
        events.append(m["content"])
    return m


def dap(command, arguments=None, timeout=60):
    seq[0] += 1
    msg = c.session.msg("debug_request", {"type": "request", "seq": seq[0], "command": command, "arguments": arguments or {}})
    c.control_channel.send(msg)
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = c.get_control_msg(timeout=max(0.01, deadline - time.time()))
        if r["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            assert r["msg_type"] == "debug_reply", r["msg_type"]
            return r["content"]
    raise TimeoutError(command)


def wait_event(event, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for i, e in enumerate(events):
            if e.get("event") == event:
                return events.pop(i)
        pump_iopub(0.2)
    raise TimeoutError("no debug_event " + event)


def reply_of(msg_id, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r = c.get_shell_msg(timeout=0.2)
        except Exception:
            pump_iopub(0.05)
            continue
        if r["parent_header"].get("msg_id") == msg_id:
            return r["content"]
    raise TimeoutError("no execute_reply")


def paused_view():
    """stackTrace, scopes and the first scope's variables of the current pause."""
    st = dap("stackTrace", {"threadId": 1})
    frame = st["body"]["stackFrames"][0]
    scopes = dap("scopes", {"frameId": frame["id"]})
    first = scopes["body"]["scopes"][0]
    variables = dap("variables", {"variablesReference": first["variablesReference"]})
    return {
        "frames": [{"name": f["name"], "path": f.get("source", {}).get("path"), "line": f["line"]} for f in st["body"]["stackFrames"]],
        "frame_id": frame["id"],
        "scopes": [s["name"] for s in scopes["body"]["scopes"]],
        "variables": {v["name"]: v["value"] for v in variables["body"]["variables"]},
        "success": [st["success"], scopes["success"], variables["success"]],
    }


def scenario():
    c.kernel_info()
    facts["kernel_info_debugger"] = c.get_shell_msg(timeout=30)["content"].get("debugger")

    init = dap("initialize", {"clientID": "test", "adapterID": "enginelab", "pathFormat": "path", "linesStartAt1": True, "columnsStartAt1": True})
    facts["initialize"] = {"success": init["success"], "modules": init["body"].get("supportsModulesRequest")}
    facts["initialized_event"] = wait_event("initialized")["event"]
    facts["attach"] = dap("attach")["success"]
    info = dap("debugInfo")["body"]
    facts["debug_info"] = {k: info[k] for k in ("isStarted", "hashMethod", "hashSeed", "tmpFilePrefix", "tmpFileSuffix", "richRendering", "copyToGlobals")}

    cell = "function scale(a: number) {\n  const doubled = a * 2;\n  const label = `x${doubled}`;\n  return label.length + doubled;\n}\nconst total = scale(20);\ntotal"
    dumped = dap("dumpCell", {"code": cell})
    facts["dump_path"] = dumped["body"]["sourcePath"]
    if murmur2_x86 is not None:
        facts["expected_path"] = info["tmpFilePrefix"] + str(murmur2_x86(cell, info["hashSeed"])) + info["tmpFileSuffix"]
    with open(facts["dump_path"], encoding="utf-8") as f:
        facts["dump_content_matches"] = f.read() == cell
    bp = dap("setBreakpoints", {"source": {"path": facts["dump_path"]}, "breakpoints": [{"line": 3}], "sourceModified": False})
    facts["cell_breakpoints"] = bp["body"]["breakpoints"]
    facts["configuration_done"] = dap("configurationDone")["success"]

    msg_id = c.execute(cell)
    stopped = wait_event("stopped")
    facts["cell_stop"] = {"reason": stopped["body"]["reason"], "thread": stopped["body"]["threadId"], **paused_view()}
    ev = dap("evaluate", {"expression": "doubled + 1", "frameId": facts["cell_stop"]["frame_id"], "context": "repl"})
    facts["evaluate"] = ev["body"].get("result")
    rich = dap("richInspectVariables", {"variableName": "doubled", "frameId": facts["cell_stop"]["frame_id"]})
    facts["rich_paused"] = rich["body"]["data"].get("text/plain")
    facts["debug_info_paused"] = dap("debugInfo")["body"]["stoppedThreads"]
    dap("next", {"threadId": 1})
    wait_event("continued")
    step = wait_event("stopped")
    facts["after_next"] = {"reason": step["body"]["reason"], **paused_view()}
    dap("continue", {"threadId": 1})
    facts["cell_reply"] = reply_of(msg_id)

    # Globals when not paused: the cells' own names, rich display, copyToGlobals, modules, source.
    facts["inspect_variables"] = {v["name"]: v["value"] for v in dap("inspectVariables")["body"]["variables"]}
    rich = dap("richInspectVariables", {"variableName": "total"})
    facts["rich_idle"] = rich["body"]["data"].get("text/plain")

    # The first statement of the function whose signature holds the marker.
    engine_line = next(i + 1 for i, l in enumerate(open(engine_source, encoding="utf-8")) if marker in l) + 1
    facts["engine_line"] = engine_line
    engine_cell = "const e = createEngine({ maxNumSeqs: 4, numGpuBlocks: 64, blockSize: 16, maxModelLen: 512 });\ne.addRequest({ promptLen: 40, maxTokens: 2, ignoreEos: true });\nconst rec = e.step();\nObject.keys(rec).length"
    bp = dap("setBreakpoints", {"source": {"path": engine_source}, "breakpoints": [{"line": engine_line}], "sourceModified": False})
    facts["engine_breakpoints"] = bp["body"]["breakpoints"]
    msg_id = c.execute(engine_cell)
    stopped = wait_event("stopped")
    facts["engine_stop"] = {"reason": stopped["body"]["reason"], **paused_view()}
    copy_var = next(iter(facts["engine_stop"]["variables"]), None)
    facts["copy_var"] = copy_var
    if copy_var:
        facts["copy_to_globals"] = dap("copyToGlobals", {"srcVariableName": copy_var, "dstVariableName": "copied_local", "srcFrameId": facts["engine_stop"]["frame_id"]})["success"]
    dap("setBreakpoints", {"source": {"path": engine_source}, "breakpoints": []})
    dap("continue", {"threadId": 1})
    facts["engine_reply"] = reply_of(msg_id)
    facts["copied_visible"] = "copied_local" in {v["name"] for v in dap("inspectVariables")["body"]["variables"]}

    mods = dap("modules")["body"]["modules"]
    facts["modules_has_engine_source"] = any(m["path"] == engine_source for m in mods)
    src = dap("source", {"source": {"path": engine_source}})
    facts["source_ok"] = src["success"] and marker in src["body"]["content"]
    facts["unknown_command"] = dap("fly")["success"]
    facts["disconnect"] = dap("disconnect", {"restart": False, "terminateDebuggee": False})["success"]
    facts["debug_info_after"] = dap("debugInfo")["body"]["isStarted"]

    # After the debugger is gone, cells still run normally.
    msg_id = c.execute("40 + 2")
    facts["after_disconnect"] = reply_of(msg_id)["status"]


try:
    scenario()
except Exception as e:  # report how far it got; the suite names the failing step
    facts["failure"] = f"{type(e).__name__}: {e}"
print(json.dumps(facts))
