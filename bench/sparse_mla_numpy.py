#!/usr/bin/python3
"""NumPy peer of bench/sparse-mla.ts: the same sparse-MLA math (sparse-mla.md section 2) on the
same inputs, timed in blocks that the TypeScript bench requests, so both run side by side in one
run, interleaved round by round. Meant for Debian's python3-numpy on OpenBLAS
(libopenblas0-pthread): run it with /usr/bin/python3.

    /usr/bin/python3 bench/sparse_mla_numpy.py DIR

DIR/meta.json names the problems and their raw little-endian files. Commands on stdin, one per
line, each answered by one JSON line on stdout:
    info                  -> numpy version, the BLAS library mapped into this process, threads
    run PROBLEM ITERS     -> {"ms": per-iteration milliseconds over ITERS iterations}
    out PROBLEM           -> writes DIR/PROBLEM.numpy_out.f32 (the merged output [T, H, D])
    quit
Per token: gather the valid candidate rows of both subsets once (shared by all heads; invalid =
slot -1 or position >= len), S = scale * Q K^T, per subset max and sum of exp, the sink-aware
merge of section 2.6 (raw-state form), O = P K.
"""
import json
import os
import sys
import time

import numpy as np


def load(dirname):
    meta = json.load(open(os.path.join(dirname, "meta.json")))
    probs = {}
    for name, p in meta["problems"].items():
        T, H, D = p["T"], p["H"], p["D"]
        rd = lambda key, dt: np.fromfile(os.path.join(dirname, p["files"][key]), dtype=dt)
        subsets = []
        for j in range(len(p["widths"])):
            w = p["widths"][j]
            subsets.append({
                "kv": rd(f"kv{j}", np.float32).reshape(-1, D),
                "slots": rd(f"slots{j}", np.int32).reshape(T, w),
                "lens": rd(f"lens{j}", np.int32),
            })
        probs[name] = {
            "T": T, "H": H, "D": D, "scale": np.float32(p["scale"]),
            "q": rd("q", np.float32).reshape(T, H, D),
            "sink": rd("sink", np.float32),
            "subsets": subsets,
        }
    return probs


def valid_index(sub, t):
    row = sub["slots"][t, : max(0, min(int(sub["lens"][t]), sub["slots"].shape[1]))]
    return row[row >= 0]


def attend(p):
    T, H, D = p["T"], p["H"], p["D"]
    out = np.empty((T, H, D), dtype=np.float32)
    sink = p["sink"]
    has_sink = np.isfinite(sink)
    for t in range(T):
        idx = [valid_index(s, t) for s in p["subsets"]]
        rows = np.concatenate([s["kv"][i] for s, i in zip(p["subsets"], idx)])  # [N, D], gathered once
        n = [len(i) for i in idx]
        if rows.shape[0] == 0:
            out[t] = 0
            continue
        s = (p["q"][t] @ rows.T) * p["scale"]  # [H, N]
        M = np.where(has_sink, sink, -np.inf).astype(np.float32)
        parts = []
        start = 0
        for nj in n:
            if nj:
                part = s[:, start:start + nj]
                m = part.max(axis=1)
                M = np.maximum(M, m)
                parts.append((start, nj, m))
            start += nj
        # weights exp(z - M) for every candidate; den = sum + exp(sink - M)
        den = np.where(has_sink, np.exp(np.where(has_sink, sink - M, 0)), 0).astype(np.float32)
        for start, nj, m in parts:
            e = np.exp(s[:, start:start + nj] - M[:, None])
            s[:, start:start + nj] = e
            den += e.sum(axis=1)
        p_ = s / den[:, None]
        out[t] = p_ @ rows
    return out


def main():
    dirname = sys.argv[1]
    probs = load(dirname)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "quit":
            break
        if cmd[0] == "info":
            attend(next(iter(probs.values())))  # make sure BLAS is loaded before reading the maps
            libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
            reply = {"numpy": np.__version__, "numpy_path": np.__file__, "blas_libraries": libs,
                     "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"), "cpus": os.cpu_count()}
        elif cmd[0] == "run":
            p = probs[cmd[1]]
            iters = int(cmd[2])
            t0 = time.perf_counter()
            for _ in range(iters):
                attend(p)
            reply = {"ms": (time.perf_counter() - t0) * 1e3 / iters}
        elif cmd[0] == "out":
            attend(probs[cmd[1]]).tofile(os.path.join(dirname, f"{cmd[1]}.numpy_out.f32"))
            reply = {"ok": True}
        else:
            reply = {"error": f"unknown command {cmd[0]}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
