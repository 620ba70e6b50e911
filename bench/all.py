"""Every side-by-side comparison of spikelab with its peers, in one run.

Called by bench/all.sh, which builds spikelab first. Each comparison runs
its configurations (spikelab and the peer, with 1 and 2 threads where that
applies) in alternation, `reps` rounds, and records for every run, from that
same run:
  sim_cpu   CPU seconds (user + sys, all threads) of the simulation or
            training loop, as the program measures it itself;
  sim_wall  wall seconds of the same loop;
  proc_cpu  CPU seconds of the whole process (rusage of the child);
  proc_wall wall seconds of the whole process;
plus the load average before and after the run and the result figures
(rate, accuracy) that show that both sides did the same work. It writes
everything to one JSON file (bench/out/results.json, or --out), which
bench/benchmd.py turns into BENCHMARKS.md's tables.

The peers' references that are not in this repository (LTTS, Shifting
Learning) are run only when their checkouts are given (--ltts-ref,
--shifting-ref; bench/all.sh reads LTTS_REF and SHIFTING_REF).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"


def load():
    return list(os.getloadavg())


last_rss = None  # peak resident bytes of the last child run_child ran


def run_child(cmd, env=None):
    """Runs cmd; returns (stdout, CPU seconds, wall seconds, peak resident
    bytes) of the process. The rusage comes from wait4 on that child alone
    (its peak memory is the larger of its own and its waited-for
    children's)."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        w0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True, cwd=ROOT, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        w1 = time.perf_counter()
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if p.returncode != 0:
        sys.stderr.write(out[-2000:] + err[-4000:])
        raise SystemExit("failed: " + " ".join(cmd))
    global last_rss
    last_rss = maxrss_bytes(ru.ru_maxrss)
    return out, ru.ru_utime + ru.ru_stime, w1 - w0, last_rss


def maxrss_bytes(v):
    """ru_maxrss in bytes (kibibytes on Linux, bytes on macOS)."""
    return float(v) if sys.platform == "darwin" else 1024.0 * v


def last_json(stdout):
    return json.loads([l for l in stdout.splitlines() if l.strip().startswith("{")][-1])


class Bench:
    def __init__(self, spikelab, work):
        self.spikelab = spikelab
        self.work = work
        self.n = 0

    def spikelab_run(self, name, threads, sets):
        """Runs spikelab; returns (metrics, process CPU, process wall)."""
        self.n += 1
        out = os.path.join(self.work, "%s-%d" % (name, self.n))
        cmd = [self.spikelab, "run", name, "--quiet", "--threads", str(threads), "--out", out]
        for s in sets:
            cmd += ["--set", s]
        _, cpu, wall, _ = run_child(cmd)
        with open(os.path.join(out, "metrics.json")) as f:
            m = json.load(f)
        shutil.rmtree(out, ignore_errors=True)
        return m, cpu, wall

    def python(self, script, args, env=None):
        """Runs a reference script; returns (its JSON line, process CPU, process wall)."""
        out, cpu, wall, _ = run_child([PY, os.path.join(HERE, script)] + args, env)
        return last_json(out), cpu, wall


def record(fn):
    """Calls fn() -> dict and adds the load average around it and, unless
    fn gave it (Brian2's compiled binary), proc_rss: the peak resident
    memory (bytes) of the process fn ran."""
    global last_rss
    l0, last_rss = load(), None
    r = fn()
    r["load_before"], r["load_after"] = l0, load()
    r.setdefault("proc_rss", last_rss)
    return r


def compare(title, configs, reps, note=""):
    """Runs the configurations (name -> (description, side, threads, fn)) in
    alternation reps times and returns the comparison's record."""
    sys.stderr.write("%s: %d round(s) of %d configurations\n" % (title, reps, len(configs)))
    runs = {k: [] for k in configs}
    l0 = load()
    for r in range(reps):
        for k, (_, _, _, fn) in configs.items():
            sys.stderr.write("  round %d/%d: %s\n" % (r + 1, reps, k))
            runs[k].append(record(fn))
    return {"title": title, "note": note, "load_before": l0, "load_after": load(), "reps": reps,
            "configs": [{"key": k, "name": d, "side": side, "threads": th, "runs": runs[k]}
                        for k, (d, side, th, _) in configs.items()]}


def cuba_configs(b, sets, brian_args, build, peer2=True):
    """The configurations of a CUBA comparison: spikelab `cuba --set SETS`
    on 1 and 2 threads, Brian2 C++ standalone (brian2_cuba.py BRIAN_ARGS)
    serial and with 2 OpenMP threads (peer2; each thread count compiles its
    project into BUILD-T on its first run, untimed)."""
    def sl(threads):
        def fn():
            m, cpu, wall = b.spikelab_run("cuba", threads, sets)
            return {"sim_cpu": m["loop_cpu_seconds"], "sim_wall": m["wall_seconds"], "proc_cpu": cpu, "proc_wall": wall,
                    "rate_hz": m["rate_hz"], "output_cpu": m.get("output_cpu_seconds"), "synapses": m["synapses"],
                    "events": m["synaptic_events"]}
        return fn

    def brian(threads):
        def fn():
            o, _, _ = b.python("brian2_cuba.py", ["--target", "cpp_standalone"] + brian_args +
                               ["--threads", str(threads), "--build-dir", build + "-%d" % threads])
            return {"sim_cpu": o["sim_cpu_seconds"], "sim_wall": o["loop_wall_seconds"], "proc_cpu": o["binary_cpu_seconds"],
                    "proc_wall": o["binary_wall_seconds"], "rate_hz": o["rate_hz"], "synapses": o["synapses"],
                    "proc_rss": o.get("binary_max_rss_bytes"), "build_wall": o.get("build_wall_seconds")}
        return fn

    cfg = {"sl1": ("spikelab `cuba --threads 1`", "spikelab", 1, sl(1)),
           "b1": ("Brian2 C++ standalone, serial", "peer", 1, brian(1))}
    if (os.cpu_count() or 1) > 1:
        cfg["sl2"] = ("spikelab `cuba --threads 2`", "spikelab", 2, sl(2))
        if peer2:
            cfg["b2"] = ("Brian2 C++ standalone, OpenMP 2 threads", "peer", 2, brian(2))
    return cfg


def cuba(b, a):
    dur = 1.0 if a.quick else 6.0
    build = os.path.join(b.work, "brian2-cuba-standalone")
    sys.stderr.write("CUBA: Brian2 warm-up (code generation and compilation, untimed)\n")
    b.python("brian2_cuba.py", ["--target", "cpp_standalone", "--duration", "0.1", "--record", "--build-dir", build])
    cfg = cuba_configs(b, ["duration_s=%g" % dur], ["--duration", "%g" % dur, "--record"], build, peer2=not a.quick)
    return compare("CUBA (4000 LIF, p = 0.02), %g s simulated, every spike recorded" % dur, cfg, 2 if a.quick else 5,
                   "process = spikelab's whole process (set-up, raster figure and npz included) against Brian2's compiled "
                   "binary (set-up, run, writing its results; code generation and compilation excluded). Brian2's simulation "
                   "CPU is its own _last_run_time (std::clock), its wall the network run inside the binary.")


# The large-network CUBA comparison: (neurons, connection probability) in two
# variants, p = 80/N (80 inputs per neuron, as the 4000-neuron example, which
# is both variants) and p = 0.02 (1280 inputs per neuron at 64 000: 82 M
# synapses, ≈ 1 GB for spikelab).
CUBA_LARGE = [(4000, 0.02), (16000, 80 / 16000), (16000, 0.02), (64000, 80 / 64000), (64000, 0.02)]
CUBA_LARGE_QUICK = [(16000, 80 / 16000), (16000, 0.02), (64000, 80 / 64000)]


def cuba_large(b, a):
    """CUBA at 4000 to 64 000 neurons, spikelab on 1 and 2 threads against
    Brian2 C++ standalone serial and with 2 OpenMP threads, spikes counted,
    not stored, on both sides; yields one comparison record per network."""
    for n, p in CUBA_LARGE_QUICK if a.quick else CUBA_LARGE:
        # 4 s simulated (2 s at 64 000 neurons), so that the steady state, not
        # the first 100 ms burst and the runtime's start, sets the figures
        # (at 16 000 neurons a simulated second is ≈ 0.04 CPU s); --quick: 1 s
        # (0.5 s).
        dur = (2.0 if n >= 64000 else 4.0) * (0.25 if a.quick else 1.0)
        ne = n * 4 // 5
        sets = ["n_exc=%d" % ne, "n_inh=%d" % (n - ne), "p=%r" % p, "duration_s=%g" % dur, "record.spikes=false"]
        args = ["--n", str(n), "--p", repr(p), "--duration", "%g" % dur]
        cfg = cuba_configs(b, sets, args, os.path.join(b.work, "brian2-cuba-%d-%g" % (n, p)))
        c = compare("CUBA %d LIF, p = %.5g (%.0f inputs per neuron, %.3g M synapses), %g s simulated, spikes counted"
                    % (n, p, n * p, n * n * p / 1e6, dur), cfg, 1 if a.quick else 3,
                    "`spikelab run cuba --set %s` against `brian2_cuba.py --target cpp_standalone %s --threads T`; both "
                    "sides keep the weights of Brian2's example (we = 1.62 mV, wi = −9 mV) whatever p is, so the rate "
                    "changes with p alike. Process = spikelab's whole process against Brian2's compiled binary "
                    "(compilation excluded)." % (" --set ".join(sets), " ".join(args)))
        c["n"], c["p"], c["duration_s"] = n, p, dur
        yield c


def copy_bandwidth():
    """The machine's memory copy bandwidth (GB/s, bytes read + written), the
    best of 5 copies of a 256 MiB array with NumPy on one thread, and the
    same with two threads copying halves (None without NumPy)."""
    code = ("import numpy as np, time, threading\n"
            "a = np.ones(2**25); b = np.empty_like(a)\n"
            "def best(f):\n"
            "  t = []\n"
            "  for _ in range(5):\n"
            "    t0 = time.perf_counter(); f(); t.append(time.perf_counter() - t0)\n"
            "  return 2 * a.nbytes / min(t) / 1e9\n"
            "def two():\n"
            "  h = len(a) // 2\n"
            "  th = [threading.Thread(target=np.copyto, args=(b[k*h:(k+1)*h], a[k*h:(k+1)*h])) for k in (0, 1)]\n"
            "  [x.start() for x in th]; [x.join() for x in th]\n"
            "np.copyto(b, a)\n"
            "print(best(lambda: np.copyto(b, a)), best(two))\n")
    try:
        p = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=120)
        one, two = p.stdout.split()
        return {"copy_gbps_1thread": float(one), "copy_gbps_2threads": float(two)}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def force(b, a):
    sets = ["duration_s=3", "train_start_s=1", "train_stop_s=2"] if a.quick else []
    args = ["--target", "cython"] + (["--N", "2000", "--T", "3", "--t-on", "1", "--t-off", "2"] if a.quick else [])
    sys.stderr.write("FORCE: Brian2 warm-up (Cython compilation, untimed)\n")
    b.python("brian2_force_lif.py", ["--target", "cython", "--T", "0.01", "--t-on", "0.005", "--t-off", "0.008"])
    ncpu = os.cpu_count() or 1

    def sl():
        m, cpu, wall = b.spikelab_run("force-sine", ncpu, sets)
        return {"sim_cpu": m["loop_cpu_seconds"], "sim_wall": m["loop_seconds"], "proc_cpu": cpu, "proc_wall": wall,
                "rate_hz": m["rate_hz"], "train_rmse": m.get("train_rmse")}

    def brian():
        o, cpu, wall = b.python("brian2_force_lif.py", args)
        return {"sim_cpu": o["sim_cpu_seconds"], "sim_wall": o["sim_seconds"], "proc_cpu": cpu, "proc_wall": wall,
                "rate_hz": o["rate_hz"], "train_rmse": o.get("train_rmse")}

    return compare("FORCE LIF sine (N = 2000), %s s" % ("3" if a.quick else "15"),
                   {"sl": ("spikelab `force-sine --threads %d`" % ncpu, "spikelab", ncpu, sl),
                    "b": ("Brian2 Cython (RLS in NumPy/SciPy BLAS)", "peer", 1, brian)},
                   1 if a.quick else 3,
                   "Brian2's simulation = its timed net.run calls (per-run preparation and the Python RLS included).")


def rls_bandwidth(b, a):
    """Runs the learn package's Go benchmarks of memory bandwidth and of the
    RLS update at N = 4000 (float32 P, block 16, as force-sine) on one
    thread; returns {name: {metric: value}} with GB/s and GB/cpu-s."""
    bench = "^BenchmarkMemoryBandwidth/(copy|read)/threads=1$|^BenchmarkRLSBandwidth/N=4000/float32/block=16/threads=1$"
    out, _, _, _ = run_child(["go", "test", "./learn", "-run", "^$", "-bench", bench, "-benchtime", "1s" if a.quick else "3s"])
    res = {}
    for line in out.splitlines():
        f = line.split()
        if not f or not f[0].startswith("Benchmark"):
            continue
        name = f[0].split("/", 1)[1].rsplit("-", 1)[0]
        res[name] = {f[i + 1]: float(f[i]) for i in range(2, len(f) - 1) if f[i + 1] in ("GB/s", "GB/cpu-s")}
    return res


def force_large(b, a):
    """force-sine at N = 4000 against Brian2 Cython at N = 4000 (issue #19):
    short runs, since Brian2's float64 RLS moves 256 MB per update here."""
    n = 4000
    T, on, off = (2.0, 0.5, 1.5) if a.quick else (4.0, 1.0, 3.0)
    sets = ["n=%d" % n, "duration_s=%g" % T, "train_start_s=%g" % on, "train_stop_s=%g" % off]
    args = ["--target", "cython", "--N", str(n), "--T", "%g" % T, "--t-on", "%g" % on, "--t-off", "%g" % off]
    sys.stderr.write("FORCE N = %d: Brian2 warm-up (Cython compilation, untimed)\n" % n)
    b.python("brian2_force_lif.py", ["--target", "cython", "--T", "0.01", "--t-on", "0.005", "--t-off", "0.008"])

    def sl(threads, extra=()):
        def fn():
            m, cpu, wall = b.spikelab_run("force-sine", threads, sets + list(extra))
            return {"sim_cpu": m["loop_cpu_seconds"], "sim_wall": m["loop_seconds"], "proc_cpu": cpu, "proc_wall": wall,
                    "rate_hz": m["rate_hz"], "train_rmse": m.get("train_rmse"), "test_rmse": m.get("test_rmse")}
        return fn

    def brian():
        o, cpu, wall = b.python("brian2_force_lif.py", args)
        return {"sim_cpu": o["sim_cpu_seconds"], "sim_wall": o["sim_seconds"], "proc_cpu": cpu, "proc_wall": wall,
                "rate_hz": o["rate_hz"], "train_rmse": o.get("train_rmse"), "test_rmse": o.get("test_rmse")}

    cfg = {"sl1": ("spikelab `force-sine --threads 1 --set n=%d`" % n, "spikelab", 1, sl(1)),
           "sl1h": ("spikelab `force-sine --threads 1 --set n=%d --set rls_storage=float16` (opt-in; see note)" % n,
                    "spikelab", 1, sl(1, ["rls_storage=float16"])),
           "sl1f": ("spikelab `force-sine --threads 1 --set n=%d --set rls_factored_updates=%d` (opt-in; see note)" % (n, n // 4),
                    "spikelab", 1, sl(1, ["rls_factored_updates=%d" % (n // 4)])),
           "b": ("Brian2 Cython (RLS in NumPy/SciPy BLAS, float64 P)", "peer", 1, brian)}
    if (os.cpu_count() or 1) > 1:
        cfg["sl2"] = ("spikelab `force-sine --threads 2 --set n=%d`" % n, "spikelab", 2, sl(2))
        cfg["sl2f"] = ("spikelab `force-sine --threads 2 --set n=%d --set rls_factored_updates=%d` (opt-in)" % (n, n // 4),
                       "spikelab", 2, sl(2, ["rls_factored_updates=%d" % (n // 4)]))
    c = compare("FORCE LIF sine, N = %d, %g s (RLS from %g to %g s, 400 updates/s)" % (n, T, on, off), cfg,
                1 if a.quick else 3,
                "Brian2's simulation = its timed net.run calls (per-run preparation and the Python RLS included). "
                "spikelab stores P in float32 (upper triangle, 16 updates deferred per pass); Brian2 in float64 (full). "
                "The float16 row stores P's off-diagonal entries in IEEE half (opt-in: it does not keep the errors "
                "within 5 % of float64's, see README). The factored rows keep the run's updates (fewer than "
                "rls_factored_updates) as vectors, P = alpha·I − Σ c·cᵀ/(1 + rᵀc) in float64, and never form P: "
                "float64 storage's results up to the order of sums.")
    sys.stderr.write("FORCE N = %d: RLS and memory bandwidth (go test ./learn -bench)\n" % n)
    l0 = load()
    try:
        c["bandwidth"] = rls_bandwidth(b, a)
    except SystemExit as e:  # the comparison above stands without it
        sys.stderr.write("RLS bandwidth benchmark: %s\n" % e)
    c["bandwidth_load"] = [l0, load()]
    return c


def ltts(b, a):
    epochs = 5 if a.quick else 10  # the reference needs at least 5

    def sl(threads):
        def fn():
            m, cpu, wall = b.spikelab_run("ltts-trajectory", threads, ["epochs=%d" % epochs])
            return {"sim_cpu": m["cpu_seconds_per_epoch"], "sim_wall": m["seconds_per_epoch"], "proc_cpu": cpu,
                    "proc_wall": wall, "mse": m.get("mse")}
        return fn

    def ref(threads):
        def fn():
            args = ["--ref", a.ltts_ref, "--epochs", str(epochs)] + (["--blas-threads", "1"] if threads == 1 else [])
            o, cpu, wall = b.python("ltts_reference.py", args)
            return {"sim_cpu": o["cpu_seconds_per_epoch"], "sim_wall": o["seconds_per_epoch"], "proc_cpu": cpu,
                    "proc_wall": wall, "mse": o.get("final_mse")}
        return fn

    return compare("LTTS 3D trajectory (N = 500, T = 1000, online), per epoch, %d epochs" % epochs,
                   {"r1": ("reference (NumPy), BLAS on 1 thread", "peer", 1, ref(1)),
                    "sl1": ("spikelab `ltts-trajectory --threads 1`", "spikelab", 1, sl(1)),
                    "r2": ("reference (NumPy), BLAS default threads", "peer", 2, ref(2)),
                    "sl2": ("spikelab `ltts-trajectory --threads 2`", "spikelab", 2, sl(2))},
                   1 if a.quick else 3, "simulation = seconds per training epoch (free-running evaluation included).")


def shifting(b, a):
    seeds = 1 if a.quick else 3

    def sl():
        m, cpu, wall = b.spikelab_run("shifting-iris", 1, ["runs=%d" % seeds])
        ep = seeds * 5 * 400
        return {"sim_cpu": cpu / ep, "sim_wall": m["wall_seconds"] / ep, "proc_cpu": cpu, "proc_wall": wall,
                "accuracy": m["accuracy_mean"]}

    def ref():
        env = dict(os.environ, OMP_NUM_THREADS="1")
        o, cpu, wall = b.python("shifting_iris_reference.py", ["--ref", a.shifting_ref, "--seeds", str(seeds)], env)
        return {"sim_cpu": o["cpu_ms_per_epoch"] / 1000, "sim_wall": o["ms_per_epoch"] / 1000, "proc_cpu": cpu, "proc_wall": wall,
                "accuracy": o["accuracy_mean"]}

    return compare("Shifting Learning, Iris 5-fold, %d seed(s), per epoch" % seeds,
                   {"r": ("reference (PyTorch)", "peer", 1, ref), "sl": ("spikelab `shifting-iris --threads 1`", "spikelab", 1, sl)},
                   1, "Simulation per epoch: the reference's training and test loops (process time and wall of its Iris_fold, "
                   "5 folds × 400 epochs); spikelab's whole process CPU and its wall_seconds over all epochs.")


def olfaction(b, a, model):
    if model == "decolle":
        n_train, epochs = (1000, 1) if a.quick else (4000, 1)
        sets = ["data.n_train=%d" % n_train, "snn.epochs=%d" % epochs, "snn.n_pn=200", "snn.n_kc=500", "snn.steps=60",
                "snn.burn_in=10", "snn.neuron.threshold=5", "snn.abs_from_block=9"]
        script = "olfaction_reference.py"
        args = ["--n-train", str(n_train), "--epochs", str(epochs), "--n-pn", "200", "--n-kc", "500", "--steps", "60",
                "--burn-in", "10", "--threshold", "5", "--abs-from-block", "9"]
        title = "Olfaction DECOLLE (500 inputs → PN 200 → KC 500, 60 + 10 steps), %d odors × %d epoch(s)" % (n_train, epochs)
    else:
        n_train, epochs = (4000, 2) if a.quick else (20000, 3)
        sets = ["data.n_train=%d" % n_train, "ann.epochs=%d" % epochs]
        script = "olfaction_ann_reference.py"
        args = ["--n-train", str(n_train), "--epochs", str(epochs)]
        title = "Olfaction ANN (Wang et al.: 500 ORN → PN 50 → KC 2500), %d odors × %d epochs" % (n_train, epochs)

    def sl(threads):
        def fn():
            m, cpu, wall = b.spikelab_run("olfaction-" + model, threads, sets)
            return {"sim_cpu": m["train_cpu_seconds"] / epochs, "sim_wall": m["train_seconds"] / epochs, "proc_cpu": cpu,
                    "proc_wall": wall, "accuracy": m["val_accuracy"]}
        return fn

    def ref(threads, double=False):
        def fn():
            # OpenMP and MKL pools sized before torch starts, so a 1-thread row
            # really runs on one thread (torch.set_num_threads alone left a
            # second busy thread: 5.05 CPU s in 2.54 s wall).
            env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
            o, cpu, wall = b.python(script, args + ["--threads", str(threads)] + (["--double"] if double else []), env)
            return {"sim_cpu": o["train_cpu_seconds"] / epochs, "sim_wall": o["train_seconds"] / epochs, "proc_cpu": cpu,
                    "proc_wall": wall, "accuracy": o["val_accuracy"], "torch": o["torch"], "dtype": o.get("dtype")}
        return fn

    # PyTorch in its default float32 and in float64, spikelab's precision
    # (like for like). DECOLLE's 2-thread PyTorch runs take 30 s and more
    # each (its 2-thread pool is slower than one thread), so float64 gets
    # a 2-thread row for the ANN only.
    cfg = {"r1": ("PyTorch (float32), 1 thread", "peer", 1, ref(1)),
           "r1d": ("PyTorch (float64), 1 thread", "peer", 1, ref(1, True)),
           "sl1": ("spikelab `olfaction-%s --threads 1` (float64)" % model, "spikelab", 1, sl(1)),
           "r2": ("PyTorch (float32), 2 threads", "peer", 2, ref(2))}
    if model != "decolle":
        cfg["r2d"] = ("PyTorch (float64), 2 threads", "peer", 2, ref(2, True))
    cfg["sl2"] = ("spikelab `olfaction-%s --threads 2` (float64)" % model, "spikelab", 2, sl(2))
    return compare(title, cfg, 1 if a.quick else 3,
                   "simulation = seconds per training epoch, validation included; the two sides draw different odors "
                   "from the same distribution. spikelab computes in float64; a ratio cell with two figures is against "
                   "PyTorch float32 / float64 with the same thread count.")


def machine(spikelab):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return ""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GiB" % (int(f.readline().split()[1]) / 2 ** 20)
    except (OSError, ValueError, IndexError):
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            fl = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
            flags = ", ".join(x for x in ("avx2", "fma", "avx512f") if x in fl)
    except OSError:
        pass
    versions = out([PY, "-c", "import importlib\nfor m in ('numpy','brian2','torch'):\n"
                    "  try: print(m, importlib.import_module(m).__version__)\n  except Exception: print(m, 'missing')"])
    return {"cpu_model": model or platform.processor(), "cores": os.cpu_count(), "memory": mem, "cpu_flags": flags,
            "kernel": platform.release(), "go": out(["go", "version"]), "python": platform.python_version(),
            "versions": dict(l.split(" ", 1) for l in versions.splitlines() if " " in l),
            "commit": out(["git", "rev-parse", "--short", "HEAD"]), "dirty": bool(out(["git", "status", "--porcelain"])),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def merge_base(a, now, only):
    """The results of an earlier full run (--out) that a --merge run
    updates: same machine (CPU model, cores, quick or full) required; the
    comparisons in --only are dropped from it to be measured again."""
    if not only:
        sys.exit("--merge needs --only: the comparisons to measure again")
    try:
        with open(a.out) as f:
            res = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("--merge: cannot read the earlier results %s: %s" % (a.out, e))
    old, new = res["machine"], now["machine"]
    for k in ("cpu_model", "cores"):
        if old.get(k) != new.get(k):
            sys.exit("--merge: %s has %s %r, this machine %r: measure everything again" % (a.out, k, old.get(k), new.get(k)))
    if bool(res.get("quick")) != bool(a.quick):
        sys.exit("--merge: %s is a %s run, this one is not" % (a.out, "--quick" if res.get("quick") else "full"))
    res["remeasure"] = {"commit": new["commit"], "dirty": new["dirty"], "date": new["date"],
                        "load_before": now["load_before"]}
    res["skipped"] = [s for s in res.get("skipped", []) if s["key"] not in only]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short runs, fewer repetitions (a few minutes)")
    ap.add_argument("--spikelab", default=os.path.join(HERE, "out", "spikelab"))
    ap.add_argument("--out", default=os.path.join(HERE, "out", "results.json"))
    ap.add_argument("--only", default="", help="comma-separated subset of cuba,cuba-large,force,force4000,ltts,shifting,decolle,ann")
    ap.add_argument("--ltts-ref", default=os.environ.get("LTTS_REF", ""), help="checkout of github.com/myscience/LTTS")
    ap.add_argument("--shifting-ref", default=os.environ.get("SHIFTING_REF", ""),
                    help="checkout of github.com/SZU-ADDG/Shifting-Learning")
    ap.add_argument("--load-before", default="",
                    help="load averages (1, 5, 15 min) read before the harness started, e.g. by all.sh before its build")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other comparisons of --out and replace only those run now (with --only, after a "
                         "change to one side; each replaced table names its own commit, date and load)")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    work = tempfile.mkdtemp(prefix="spikelab-bench-")
    b = Bench(os.path.abspath(a.spikelab), work)
    res = {"quick": a.quick, "machine": machine(a.spikelab), "load_before": load(), "comparisons": [], "skipped": []}
    if a.load_before:  # the figure before the harness's own build; the one after it is kept beside
        res["load_before_build"] = res["load_before"]
        res["load_before"], res["load_after_build"] = [float(x) for x in a.load_before.split()], res["load_before"]
    if a.merge:
        res = merge_base(a, res, only)

    def have(mod):
        return subprocess.run([PY, "-c", "import " + mod], capture_output=True).returncode == 0

    jobs = [("cuba", have("brian2"), "Brian2 missing: apt-get install python3-brian", lambda: cuba(b, a)),
            ("cuba-large", have("brian2"), "Brian2 missing: apt-get install python3-brian", lambda: cuba_large(b, a)),
            ("force", have("brian2"), "Brian2 missing: apt-get install python3-brian", lambda: force(b, a)),
            ("force4000", have("brian2"), "Brian2 missing: apt-get install python3-brian", lambda: force_large(b, a)),
            ("ltts", bool(a.ltts_ref) and have("numpy") and have("tqdm"),
             "no LTTS checkout given (LTTS_REF) or NumPy/tqdm missing", lambda: ltts(b, a)),
            ("shifting", bool(a.shifting_ref) and have("torch"),
             "no Shifting-Learning checkout given (SHIFTING_REF) or PyTorch missing", lambda: shifting(b, a)),
            ("decolle", have("torch"), "PyTorch missing: apt-get install python3-torch", lambda: olfaction(b, a, "decolle")),
            ("ann", have("torch"), "PyTorch missing: apt-get install python3-torch", lambda: olfaction(b, a, "ann"))]
    try:
        for key, ok, why, fn in jobs:
            if only and key not in only:
                continue
            if not ok:
                res["skipped"].append({"key": key, "why": why})
                sys.stderr.write("skipped %s: %s\n" % (key, why))
                continue
            if key == "cuba-large":
                res["machine"]["bandwidth"] = copy_bandwidth()
            got = fn()
            at = next((i for i, c in enumerate(res["comparisons"]) if c.get("key") == key), len(res["comparisons"]))
            res["comparisons"] = [c for c in res["comparisons"] if c.get("key") != key]
            for c in [got] if isinstance(got, dict) else got:  # cuba-large yields one record per network
                c["key"] = key
                if a.merge:
                    c["remeasured"] = res["remeasure"]
                res["comparisons"].insert(at, c)
                at += 1
                res["load_after"] = load()
                os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
                with open(a.out, "w") as f:  # after every comparison: a partial run keeps what it measured
                    json.dump(res, f, indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.stderr.write("wrote %s\n" % a.out)


if __name__ == "__main__":
    main()
