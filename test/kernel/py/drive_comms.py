"""Comms over the wire with jupyter_client (issue 18): a cell registers a target whose handlers
record what they receive; the client opens a comm to it, sends a message with metadata and a
binary buffer, and closes it; a cell opens a kernel-side comm, which the client answers.
Prints one JSON line of facts."""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

RECORDER = r"""
var seen: any[] = [];
comms.registerTarget('lab.echo', (comm: any, open: any) => {
  seen.push({ kind: 'open', content: open.content, msg_type: open.header.msg_type, metadata: open.metadata, shortcut: open.data });
  comm.onMsg((msg: any) => {
    seen.push({ kind: 'msg', data: msg.content.data, comm_id: msg.content.comm_id, msg_type: msg.header.msg_type, msg_id: msg.header.msg_id,
      metadata: msg.metadata, buffers: msg.buffers.map((b: Uint8Array) => Array.from(b)), keys: Object.keys(msg).sort() });
    comm.send({ echo: msg.content.data.n * 2 }, { version: '2.1.0' });
  });
  comm.onClose((msg: any) => seen.push({ kind: 'close', data: msg.content.data, comm_id: msg.content.comm_id }));
});
undefined
"""


def run(kc, code, timeout=120):
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    out = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return reply, out


def stdout_of(out):
    return "".join(m["content"]["text"] for m in out if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def iopub_until_idle(kc, parent_id, timeout=60):
    out = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != parent_id:
            continue
        out.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return out
    raise TimeoutError(f"no idle for {parent_id}")


def send_comm(kc, msg_type, content, metadata=None, buffers=None):
    msg = kc.session.msg(msg_type, content, metadata=metadata or {})
    kc.shell_channel.send(msg) if not buffers else kc.session.send(kc.shell_channel.socket, msg, buffers=buffers)
    return msg["header"]["msg_id"]


def main():
    km, kc = start_new_kernel(kernel_name=sys.argv[1], startup_timeout=180)
    facts = {}
    try:
        reply, _ = run(kc, RECORDER)
        facts["register"] = reply["content"]["status"]
        comm_id = "client-comm-1"
        open_id = send_comm(kc, "comm_open", {"comm_id": comm_id, "target_name": "lab.echo", "data": {"hello": "kernel"}}, metadata={"origin": "test"})
        iopub_until_idle(kc, open_id)
        msg_id = send_comm(kc, "comm_msg", {"comm_id": comm_id, "data": {"n": 21}}, metadata={"tag": "m1"}, buffers=[b"\x01\x02\x03"])
        facts["sent_msg_id"] = msg_id
        answer = [m for m in iopub_until_idle(kc, msg_id) if m["msg_type"] == "comm_msg"]
        facts["answer"] = [{"content": m["content"], "metadata": m["metadata"]} for m in answer]
        close_id = send_comm(kc, "comm_close", {"comm_id": comm_id, "data": {"bye": True}})
        iopub_until_idle(kc, close_id)
        facts["seen"] = json.loads(stdout_of(run(kc, "console.log(JSON.stringify(seen))")[1]))
        # A kernel-opened comm: the client sees comm_open, answers with comm_msg, the cell's handler gets it.
        _, out = run(kc, "var got: any[] = []; var kcomm = comms.open('lab.client', { from: 'kernel' }, { m: 1 }); kcomm.onMsg((msg: any) => got.push(msg.content.data)); kcomm.commId")
        opened = [m for m in out if m["msg_type"] == "comm_open"][0]
        facts["kernel_open"] = {"content": opened["content"], "metadata": opened["metadata"]}
        reply_id = send_comm(kc, "comm_msg", {"comm_id": opened["content"]["comm_id"], "data": {"ack": 7}})
        iopub_until_idle(kc, reply_id)
        facts["kernel_comm_got"] = json.loads(stdout_of(run(kc, "console.log(JSON.stringify(got))")[1]))
    except Exception as e:  # report, do not hang
        facts["failure"] = f"{type(e).__name__}: {e}"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(facts))


main()
