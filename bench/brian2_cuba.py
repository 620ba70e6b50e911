#!/usr/bin/python3
"""Brian2 side of the spikelab CUBA benchmark.

The Vogels & Abbott (2005) current-based network as in Brian2's CUBA example:
4000 LIF neurons (3200 excitatory, 800 inhibitory), random connectivity with
probability 0.02, exponential synaptic currents, dt = 0.1 ms. --n and --p
change the size (80 % excitatory) and the connection probability; the
weights stay those of the example (we = 1.62 mV, wi = -9 mV) whatever p is,
as spikelab's cuba keeps w_e_mv and w_i_mv, so the activity changes with p
alike on both sides.

Prints exactly one JSON line on stdout. Timing fields:
  sim_seconds   - simulation only, code generation / compilation excluded:
                  runtime targets (cython, numpy): wall time of the timed
                  net.run(duration), after a warm-up net.run(dt) that did the
                  code generation and compilation;
                  cpp_standalone: the run time the compiled binary measured
                  itself (device._last_run_time): CPU time (std::clock).
  sim_cpu_seconds - the CPU time of the simulation: runtime targets
                  time.process_time of the timed net.run; cpp_standalone the
                  same value as sim_seconds.
  loop_wall_seconds - cpp_standalone: the wall time of the network run inside
                  the binary (clock_gettime(CLOCK_MONOTONIC) around it).
  binary_cpu_seconds, binary_wall_seconds - cpp_standalone: CPU (user + sys)
                  and wall time of the whole compiled binary (set-up, run,
                  writing the results), compilation excluded.
  binary_max_rss_bytes - cpp_standalone: the compiled binary's peak resident
                  memory (VmHWM of /proc/self/status at its end).
  build_wall_seconds - cpp_standalone: wall time of code generation and
                  compilation (make recompiles only what changed: the first
                  build of a project directory takes the longest).
  loop_seconds  - runtime targets only: Brian's own measure of the time-step
                  loop of the timed run (net.run minus its per-run preparation).
  total_seconds - wall time of the whole script from its first line to the
                  end, code generation, compilation and network set-up included.

Needs Brian2 (Debian/Ubuntu: apt-get install python3-brian); run it with the
interpreter that has it, e.g. /usr/bin/python3.
"""
import time

T_START = time.perf_counter()

import argparse
import json
import os
import shutil
import sys
import tempfile


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", choices=["cython", "cpp_standalone", "numpy"], default="cython",
                    help="Brian2 code generation target (default cython)")
    ap.add_argument("--duration", type=float, default=1.0, help="simulated time in seconds (default 1)")
    ap.add_argument("--n", type=int, default=4000, help="neurons, 80 %% excitatory (default 4000)")
    ap.add_argument("--p", type=float, default=0.02, help="connection probability (default 0.02)")
    ap.add_argument("--seed", type=int, default=1, help="seed of Brian2's random numbers (default 1)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for cpp_standalone (default 1 = serial code without OpenMP; "
                         "n > 1 = OpenMP with n threads; ignored by other targets)")
    ap.add_argument("--build-dir", default=None,
                    help="cpp_standalone project directory (kept); default: a temporary directory, removed afterwards")
    ap.add_argument("--record", action="store_true",
                    help="store every spike's time and index (as spikelab's cuba does by default); default: count only")
    return ap.parse_args(argv)


def import_brian2():
    import warnings
    # Debian's pythran (pulled in by Brian2) warns about numpy aliases on import.
    warnings.filterwarnings("ignore", category=FutureWarning, module="pythran")
    try:
        import brian2  # noqa: F401
    except ImportError:
        sys.stderr.write(
            "brian2_cuba.py: Brian2 is not importable by %s.\n"
            "Install it (Debian/Ubuntu: apt-get install python3-brian) and run this script\n"
            "with that interpreter, e.g. /usr/bin/python3 bench/brian2_cuba.py\n" % sys.executable)
        sys.exit(2)
    import brian2
    return brian2


def main(argv=None):
    args = parse_args(argv)
    if args.duration <= 0:
        sys.exit("--duration must be positive")
    if args.threads < 1:
        sys.exit("--threads must be at least 1")
    if args.n < 5:
        sys.exit("--n must be at least 5")
    if not 0 < args.p <= 1:
        sys.exit("--p must be in (0, 1]")
    b2 = import_brian2()
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock,
                        ms, mV, second, prefs, set_device, device)

    # Brian2 logs to stderr; keep stdout for the single JSON line.
    b2.BrianLogger.log_level_warn()

    tmp_dir = None
    if args.target == "cpp_standalone":
        build_dir = args.build_dir
        if build_dir is None:
            tmp_dir = tempfile.mkdtemp(prefix="spikelab-brian2-cuba-")
            build_dir = tmp_dir
        set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        # 0 = Brian's plain serial code; n > 1 = OpenMP with n threads.
        prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
    else:
        prefs.codegen.target = args.target

    b2.seed(args.seed)
    defaultclock.dt = 0.1 * ms

    N = args.n
    NE = N * 4 // 5  # as spikelab's n_exc = 0.8 n for the sizes bench/all.py runs
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    we = (60 * 0.27 / 10) * mV   # 1.62 mV
    wi = (-20 * 4.5 / 10) * mV   # -9 mV
    eqs = """
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    P = NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                    method="exact", name="cuba")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    Pe, Pi = P[:NE], P[NE:]
    Ce = Synapses(Pe, P, on_pre="ge += we", name="exc")
    Ci = Synapses(Pi, P, on_pre="gi += wi", name="inh")
    Ce.connect(p=args.p)
    Ci.connect(p=args.p)
    smon = SpikeMonitor(P, record=args.record, name="spikes")
    net = Network(P, Ce, Ci, smon)
    namespace = dict(taum=taum, taue=taue, taui=taui, Vt=Vt, Vr=Vr, El=El, we=we, wi=wi)

    out = {"target": args.target, "n": N}
    if args.target == "cpp_standalone":
        import resource
        device.insert_code("before_network_run",
                           "struct timespec sl_w0, sl_w1; clock_gettime(CLOCK_MONOTONIC, &sl_w0);")
        device.insert_code("after_network_run",
                           "clock_gettime(CLOCK_MONOTONIC, &sl_w1); { std::ofstream f(\"results/loop_wall.txt\"); "
                           "f.precision(9); f << (sl_w1.tv_sec - sl_w0.tv_sec) + 1e-9 * (sl_w1.tv_nsec - sl_w0.tv_nsec); }")
        # The binary's peak resident memory, as the kernel counts it.
        device.insert_code("before_end",
                           "{ std::ifstream s(\"/proc/self/status\"); std::string l; "
                           "std::ofstream f(\"results/max_rss.txt\"); "
                           "while (std::getline(s, l)) if (l.rfind(\"VmHWM:\", 0) == 0) f << l.substr(6); }")
        b0 = time.perf_counter()
        net.run(args.duration * second, namespace=namespace)
        device.build(directory=build_dir, compile=True, run=False, debug=False)
        out["build_wall_seconds"] = time.perf_counter() - b0
        r0, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        device.run(build_dir, with_output=False, run_args=[])
        r1, w1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        sim_seconds = float(device._last_run_time)
        out["sim_cpu_seconds"] = sim_seconds
        with open(os.path.join(build_dir, "results", "loop_wall.txt")) as f:
            out["loop_wall_seconds"] = float(f.read())
        out["binary_cpu_seconds"] = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
        with open(os.path.join(build_dir, "results", "max_rss.txt")) as f:
            kb, unit = f.read().split()  # e.g. "  979128 kB"
            out["binary_max_rss_bytes"] = int(kb) * 1024 if unit == "kB" else None
        out["binary_wall_seconds"] = w1 - w0
        spikes = int(smon.num_spikes)
        out["threads"] = args.threads
        out["openmp"] = args.threads > 1
    else:
        # Warm-up: one step triggers code generation and compilation.
        net.run(defaultclock.dt, namespace=namespace)
        spikes0 = int(smon.num_spikes)
        t0, c0 = time.perf_counter(), time.process_time()
        net.run(args.duration * second, namespace=namespace)
        sim_seconds = time.perf_counter() - t0
        out["sim_cpu_seconds"] = time.process_time() - c0
        out["loop_seconds"] = float(device._last_run_time)
        spikes = int(smon.num_spikes) - spikes0
    synapses = int(Ce.N[:]) + int(Ci.N[:])

    if tmp_dir is not None:
        shutil.rmtree(tmp_dir, ignore_errors=True)

    out.update({
        "duration_s": args.duration,
        "dt_ms": 0.1,
        "seed": args.seed,
        "p": args.p,
        "record": args.record,
        "synapses": synapses,
        "spikes": spikes,
        "rate_hz": spikes / (N * args.duration),
        "sim_seconds": sim_seconds,
        "total_seconds": time.perf_counter() - T_START,
        "brian2_version": b2.__version__,
    })
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
