"""Runs spikelab and Brian2 on the same networks in alternation and prints a
Markdown table of median times, ratios and firing rates. Called by run.sh."""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
SPIKELAB = os.path.join(OUT, "spikelab")
PY = os.environ.get("PYTHON", "/usr/bin/python3")


# CPU seconds (user + sys) of the last command run by timed().
last_cpu = 0.0


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, env=None):
    """Runs cmd, returns (parsed JSON of its last stdout line or metrics, seconds)."""
    global last_cpu
    c0 = children_cpu()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    dt = time.perf_counter() - t0
    last_cpu = children_cpu() - c0
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return p.stdout, dt


def spikelab(name, sets, threads, tag):
    out = os.path.join(OUT, f"{name}-{tag}")
    cmd = [SPIKELAB, "run", name, "--quiet", "--threads", str(threads), "--out", out]
    for s in sets:
        cmd += ["--set", s]
    _, dt = timed(cmd)
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    return m, dt


def brian(script, args):
    stdout, dt = timed([PY, os.path.join(HERE, script)] + args)
    line = [l for l in stdout.splitlines() if l.strip().startswith("{")][-1]
    return json.loads(line), dt


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def med(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, short FORCE run")
    ap.add_argument("--reps", type=int, default=0, help="CUBA repetitions (default 5, quick 2)")
    a = ap.parse_args()
    reps = a.reps or (2 if a.quick else 5)
    force_reps = 1 if a.quick else 3
    force_T = 3 if a.quick else 15
    force_sets = [] if not a.quick else ["duration_s=3", "train_start_s=1", "train_stop_s=2"]
    force_args = ["--target", "cython"] + ([] if not a.quick else ["--N", "2000", "--T", "3", "--t-on", "1", "--t-off", "2"])
    ncpu = os.cpu_count()

    rows = {}

    load0 = os.getloadavg()

    def add(key, sim, total, rate):
        r = rows.setdefault(key, {"sim": [], "total": [], "rate": [], "cpu": []})
        r["cpu"].append(last_cpu)
        r["sim"].append(sim)
        r["total"].append(total)
        r["rate"].append(rate)

    build = os.path.join(OUT, "brian2_standalone")
    # One untimed round first: Brian2 compiles its Cython and C++ code, caches warm.
    sys.stderr.write("warm-up (Brian2 code generation and compilation)...\n")
    brian("brian2_cuba.py", ["--target", "cython", "--duration", "0.1"])
    brian("brian2_cuba.py", ["--target", "cpp_standalone", "--duration", "0.1", "--build-dir", build])
    for r in range(reps):
        sys.stderr.write(f"CUBA round {r + 1}/{reps}\n")
        m, dt = spikelab("cuba", [], 1, "t1")
        add("cuba/spikelab-1t", m["wall_seconds"], dt, m["rate_hz"])
        if ncpu > 1:
            m, dt = spikelab("cuba", [], 2, "t2")
            add("cuba/spikelab-2t", m["wall_seconds"], dt, m["rate_hz"])
        b, dt = brian("brian2_cuba.py", ["--target", "cpp_standalone", "--build-dir", build])
        add("cuba/brian2-cpp", b["sim_seconds"], dt, b["rate_hz"])
        b, dt = brian("brian2_cuba.py", ["--target", "cython"])
        add("cuba/brian2-cython", b["sim_seconds"], dt, b["rate_hz"])
    for r in range(force_reps):
        sys.stderr.write(f"FORCE round {r + 1}/{force_reps}\n")
        m, dt = spikelab("force-sine", force_sets, ncpu, "force")
        add("force/spikelab", m["loop_seconds"], dt, m["rate_hz"])
        b, dt = brian("brian2_force_lif.py", force_args)
        add("force/brian2-cython", b["sim_seconds"], dt, b["rate_hz"])

    def line(key, peer_key=None, peer_field="sim"):
        r = rows[key]
        ratio = ""
        if peer_key:
            ratio = f"{med(r['sim']) / med(rows[peer_key][peer_field]):.2f}"
        return f"| {key} | {med(r['sim']):.3f} | {med(r['total']):.2f} | {ratio} | {med(r['rate']):.2f} |"

    print(f"spikelab vs Brian2 {subprocess.run([PY, '-c', 'import brian2; print(brian2.__version__)'], capture_output=True, text=True).stdout.strip()}, "
          f"{time.strftime('%Y-%m-%d')}, {cpu_model()}, {ncpu} cores; CUBA {reps} repetitions, FORCE {force_reps} (T = {force_T} s); medians.")
    print()
    print("| run | simulation (s) | end to end (s) | ratio (simulation) | rate (Hz) |")
    print("|---|---|---|---|---|")
    print(line("cuba/spikelab-1t", "cuba/brian2-cpp"))
    if "cuba/spikelab-2t" in rows:
        print(line("cuba/spikelab-2t", "cuba/brian2-cpp"))
    print(line("cuba/brian2-cpp"))
    print(line("cuba/brian2-cython"))
    f = rows["force/spikelab"]
    fb = rows["force/brian2-cython"]
    print(line("force/spikelab", "force/brian2-cython"))
    print(line("force/brian2-cython"))
    print()
    print("Ratios are spikelab / Brian2 (below 1: spikelab is faster). CUBA spikelab ratios are against Brian2 C++ standalone; "
          "FORCE against Brian2 Cython. Simulation = the time loop alone (Brian2: after code generation and compilation; "
          "spikelab: the time loop, loop_seconds in metrics.json); end to end = the whole process, start-up, set-up and output included.")
    print(f"FORCE: spikelab end-to-end / Brian2 Cython simulation = {med(f['total']) / med(fb['sim']):.3f} "
          f"({med(fb['sim']) / med(f['total']):.1f}x faster).")
    print("Whole-process CPU seconds (user + sys, medians): " + ", ".join(
        f"{k} {med(r['cpu']):.2f}" for k, r in rows.items()) + ".")
    print(f"Load average (1, 5, 15 min) at the start: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}; "
          f"at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")


if __name__ == "__main__":
    main()
