"""Drives an installed kernel with Debian's jupyter_client and prints the facts it observed as
one JSON object; the vitest suite asserts on them. Usage:
    drive_kernel.py KERNEL_NAME ts|js      (JUPYTER_PATH must hold the kernelspec)
The two flavours differ only in the source snippets (TypeScript kernel vs the test-only fake)."""
import atexit
import json
import signal
import sys
import time

import zmq
from jupyter_client.manager import KernelManager

name, flavour = sys.argv[1], sys.argv[2]
TS = flavour == "ts"
CODE = {
    "print": 'console.log("hi"); console.error("oops")' if TS else 'print("hi"); printErr("oops")',
    "keep": "let keep = 5;" if TS else "var keep = 5",
    "sleep": "await new Promise((r) => setTimeout(r, 60000))" if TS else "sleep(60000)",
    "input": 'await input("Name? ")' if TS else 'input("Name? ")',
    "complete": "Math.ma" if TS else "pri",
    "inspect": "Math.max" if TS else "print",
    "incomplete": "function f() {" if TS else "f(1",
    "invalid": "}" if TS else "f(1))",
}

facts = {}
km = KernelManager(kernel_name=name)
t0 = time.time()
km.start_kernel()
c = km.client()
c.start_channels()
c.wait_for_ready(timeout=60)
facts["start_seconds"] = time.time() - t0
facts["interrupt_mode"] = km.kernel_spec.interrupt_mode


@atexit.register
def _never_leak_the_kernel():
    if km.is_alive():
        km.shutdown_kernel(now=True)


def collect(msg_id, timeout=90):
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = c.get_iopub_msg(timeout=max(0.01, deadline - time.time()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status":
            if m["content"]["execution_state"] == "idle":
                return out
            continue
        out.append({"msg_type": m["msg_type"], "content": m["content"]})
    raise TimeoutError("no idle for " + msg_id)


def run(code, **kw):
    msg_id = c.execute(code, **kw)
    reply = c.get_shell_msg(timeout=90)
    assert reply["parent_header"]["msg_id"] == msg_id
    return {"reply": reply["content"], "iopub": collect(msg_id)}


def shell_reply(msg_id, timeout=90):
    while True:
        r = c.get_shell_msg(timeout=timeout)
        if r["parent_header"].get("msg_id") == msg_id:
            collect(msg_id)
            return r["content"]


def heartbeat_echo():
    """One REQ/REP round trip on the heartbeat port: answered even while a cell blocks."""
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.linger = 0
    sock.connect("tcp://%s:%d" % (km.ip, km.hb_port))
    sock.send(b"ping")
    ok = sock.poll(2000) and sock.recv() == b"ping"
    sock.close()
    return bool(ok)


def interrupt_run(code, how):
    msg_id = c.execute(code)
    time.sleep(0.5)
    beating = heartbeat_echo()
    t = time.time()
    control = None
    if how == "message":
        imsg = c.session.msg("interrupt_request", {})
        c.control_channel.send(imsg)
        r = c.get_control_msg(timeout=60)
        control = {"msg_type": r["msg_type"], "content": r["content"]}
    elif how == "signal":
        km.signal_kernel(signal.SIGINT)
    else:
        km.interrupt_kernel()
    reply = c.get_shell_msg(timeout=90)
    collect(msg_id)
    return {"reply": reply["content"], "seconds": time.time() - t, "beating": beating, "control": control}


facts["kernel_info"] = shell_reply(c.kernel_info())
facts["execute"] = run("1 + 1")
facts["stream"] = run(CODE["print"])
facts["error"] = run('throw new Error("boom")')
if TS:
    facts["type_error"] = run('const n: number = "s";')
facts["after_error"] = run("2 + 2")
facts["complete"] = shell_reply(c.complete(CODE["complete"], len(CODE["complete"])))
facts["inspect"] = shell_reply(c.inspect(CODE["inspect"], len(CODE["inspect"])))
facts["is_complete"] = {
    k: shell_reply(c.is_complete(CODE[k] if k != "complete" else "1 + 1"))
    for k in ("incomplete", "invalid", "complete")
}
run(CODE["keep"])
facts["history"] = shell_reply(c.history(hist_access_type="tail", n=3, output=False, raw=True))
facts["history_search"] = shell_reply(c.history(hist_access_type="search", pattern="2 +*"))
facts["interrupt_message"] = interrupt_run("while (true) {}", "message")
facts["interrupt_signal"] = interrupt_run("while (true) {}", "signal")
if TS:
    # a loop after an await runs outside breakOnSigint: the socket thread's interrupt flag stops it
    facts["interrupt_after_await"] = interrupt_run("await new Promise((r) => setTimeout(r, 10)); while (true) {}", "message")
    facts["keep_after_await_interrupt"] = run("keep")
facts["interrupt_async"] = interrupt_run(CODE["sleep"], "manager")
km.signal_kernel(signal.SIGINT)  # SIGINT while idle must not kill the kernel
time.sleep(0.3)
facts["alive_after_idle_sigint"] = km.is_alive()
facts["keep_after_interrupts"] = run("keep")

# stdin
msg_id = c.execute(CODE["input"], allow_stdin=True)
req = c.get_stdin_msg(timeout=90)
facts["input_request"] = {"msg_type": req["msg_type"], "content": req["content"], "parent": req["parent_header"].get("msg_id") == msg_id}
c.input("Ada")
facts["input_reply"] = c.get_shell_msg(timeout=90)["content"]
facts["input_iopub"] = collect(msg_id)

facts["display"] = run(
    'display({ "text/html": "<b>a</b>", "text/plain": "a" }, { raw: true, id: "d1" });'
    ' updateDisplay("d1", { "text/html": "<i>b</i>", "text/plain": "b" }, { raw: true }); clearOutput({ wait: true })'
)
facts["comm_info"] = shell_reply(c.comm_info())

# shutdown on control: reply, then the process exits
t = time.time()
sid = c.shutdown()
r = c.get_control_msg(timeout=60)
facts["shutdown_reply"] = {"msg_type": r["msg_type"], "content": r["content"]}
while km.is_alive() and time.time() - t < 10:
    time.sleep(0.05)
facts["exit_seconds"] = time.time() - t
facts["alive_after_shutdown"] = km.is_alive()
c.stop_channels()
km.cleanup_resources() if hasattr(km, "cleanup_resources") else None
print(json.dumps(facts))
