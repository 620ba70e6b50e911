#!/usr/bin/python3
"""Brian2 side of the spikelab FORCE benchmark (spikelab's `force-sine`).

FORCE training (Nicola & Clopath 2017) of a network of LIF neurons with
double-exponential synapses on a 5 Hz sine, written independently in Brian2:

  dv/dt    = (-v + IPSC + E*z + BIAS)/tm       (unless refractory, 2 ms)
  dIPSC/dt = -IPSC/tr + h,   dh/dt  = -h/td
  dr/dt    = -r/tr + hr,     dhr/dt = -hr/td
  spike: v >= vpeak; reset v = vreset, hr += 1/(tr*td)
  recurrent spike j -> i: h_i += W[i, j]/(tr*td)
  readout z = phi . r, fed back as E*z; phi trained by RLS.

Units: v, IPSC, BIAS, z are dimensionless ("mV"), time is in seconds, so r
and h are in Hz, hr in Hz/s, the weights W and decoders phi in seconds.

Prints exactly one JSON line on stdout. Timing fields:
  sim_seconds   - wall time of the net.run calls of the simulation, after a
                  warm-up net.run(dt) that did the code generation and
                  compilation; includes Brian's per-run preparation and the
                  Python RLS network_operation.
  sim_cpu_seconds - the process CPU time (time.process_time) of the same
                  net.run calls.
  loop_seconds  - Brian's own measure of the time-step loops of those runs.
  total_seconds - wall time of the whole script, set-up and compilation included.

Needs Brian2 (Debian/Ubuntu: apt-get install python3-brian); run it with the
interpreter that has it, e.g. /usr/bin/python3.
"""
import time

T_START = time.perf_counter()

import argparse
import json
import math
import sys


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", choices=["cython", "numpy"], default="cython",
                    help="Brian2 runtime code generation target (default cython)")
    ap.add_argument("--N", type=int, default=2000, help="number of neurons (default 2000)")
    ap.add_argument("--T", type=float, default=15.0, help="simulated time in s (default 15)")
    ap.add_argument("--t-on", type=float, default=5.0, help="RLS runs strictly after this time in s (default 5)")
    ap.add_argument("--t-off", type=float, default=10.0,
                    help="... and strictly before this time in s; test afterwards (default 10)")
    ap.add_argument("--seed", type=int, default=1, help="seed of numpy.random.default_rng (default 1)")
    return ap.parse_args(argv)


def import_brian2():
    import warnings
    # Debian's pythran (pulled in by Brian2) warns about numpy aliases on import.
    warnings.filterwarnings("ignore", category=FutureWarning, module="pythran")
    try:
        import brian2  # noqa: F401
    except ImportError:
        sys.stderr.write(
            "brian2_force_lif.py: Brian2 is not importable by %s.\n"
            "Install it (Debian/Ubuntu: apt-get install python3-brian) and run this script\n"
            "with that interpreter, e.g. /usr/bin/python3 bench/brian2_force_lif.py\n" % sys.executable)
        sys.exit(2)
    import brian2
    return brian2


def rmse(a, b):
    import numpy as np
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean((a - b) ** 2)))


def phase_aligned_rmse(t, z, target_fn, window_s, max_shift_s, sample_s):
    """Mean over consecutive windows of min over s in [0, max_shift] of
    RMSE(z(t), target(t - s)); the shift is scanned on the sampling grid."""
    import numpy as np
    if t.size == 0:
        return float("nan")
    n_win = int(math.floor((t[-1] - t[0] + sample_s) / window_s + 1e-9))
    bounds = [(t[0] + k * window_s, t[0] + (k + 1) * window_s) for k in range(n_win)]
    if not bounds:  # shorter than one window: use what there is
        bounds = [(t[0], t[-1] + sample_s)]
    shifts = np.arange(0, int(round(max_shift_s / sample_s)) + 1) * sample_s
    vals = []
    for lo, hi in bounds:
        m = (t >= lo - 1e-12) & (t < hi - 1e-12)
        tw, zw = t[m], z[m]
        best = min(rmse(zw, target_fn(tw - s)) for s in shifts)
        vals.append(best)
    return float(np.mean(vals))


def main(argv=None):
    args = parse_args(argv)
    if args.N < 1 or not args.T > 0:
        sys.exit("--N must be >= 1 and --T > 0")
    if not (0 <= args.t_on <= args.t_off <= args.T):
        sys.exit("need 0 <= --t-on <= --t-off <= --T")
    b2 = import_brian2()
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, StateMonitor, SpikeMonitor, Network,
                        network_operation, linked_var, defaultclock, ms, second, Hz, prefs)

    b2.BrianLogger.log_level_warn()
    prefs.codegen.target = args.target
    b2.seed(args.seed)  # nothing below draws from Brian's generators; for completeness

    dt = 0.05 * ms
    defaultclock.dt = dt
    N = args.N
    tm, tr, td, tref = 10 * ms, 2 * ms, 20 * ms, 2 * ms
    vreset, vpeak, BIAS = -65.0, -40.0, -40.0
    G, p, Q, alpha = 0.04, 0.1, 10.0, 5e-6
    rls_every = 2.5 * ms
    freq = 5.0

    def target_fn(t):
        return np.sin(2 * np.pi * freq * t)

    # Static weights W[post, pre] (seconds), row-balanced over the nonzero entries.
    rng = np.random.default_rng(args.seed)
    W = G * rng.standard_normal((N, N)) * (rng.random((N, N)) < p) / (math.sqrt(N) * p)
    for i in range(N):
        nz = W[i] != 0
        if nz.any():
            W[i, nz] -= W[i, nz].mean()
    E = Q * rng.uniform(-1.0, 1.0, N)
    v0 = vreset + (30.0 - vreset) * rng.random(N)

    eqs = """
    dv/dt    = (-v + IPSC + E*z + BIAS) / tm : 1 (unless refractory)
    dIPSC/dt = -IPSC / tr + h : 1
    dh/dt    = -h / td : Hz
    dr/dt    = -r / tr + hr : Hz
    dhr/dt   = -hr / td : Hz/second
    E : 1 (constant)
    phi : second
    z : 1 (linked)
    """
    net_g = NeuronGroup(N, eqs, threshold="v >= vpeak",
                        reset="v = vreset\nhr += 1/(tr*td)",
                        refractory=tref, method="euler", name="force")
    # Readout: z = sum_i phi_i r_i, a summed variable into a 1-neuron group.
    # Brian runs the summed-variable updater in the 'groups' slot just before
    # the state updaters, so each step integrates with z = phi . r(t) where
    # r(t) is the state at the start of the step and phi the current decoder.
    readout = NeuronGroup(1, "z : 1", name="readout")
    ro_syn = Synapses(net_g, readout, "z_post = phi_pre * r_pre : 1 (summed)", name="readout_sum")
    ro_syn.connect()
    net_g.z = linked_var(readout, "z", index=np.zeros(N, dtype=int))
    net_g.v = v0
    net_g.E = E

    post_idx, pre_idx = np.nonzero(W)
    rec = Synapses(net_g, net_g, "w : second", on_pre="h_post += w/(tr*td)", name="recurrent")
    rec.connect(i=pre_idx, j=post_idx)
    rec.w = W[post_idx, pre_idx] * second

    # RLS in the exact form of the reference code: cd = P r; phi -= cd*err;
    # P -= cd cd^T / (1 + r.cd), every 2.5 ms strictly inside (t_on, t_off).
    # P is symmetric; it is kept Fortran-ordered so that BLAS dger can apply
    # the rank-1 update in place (numpy fallback: allocate the outer product).
    Pinv = np.asfortranarray(alpha * np.eye(N))
    try:
        from scipy.linalg.blas import dger
    except ImportError:
        dger = None
    t_on, t_off = args.t_on, args.t_off
    n_updates = [0]

    @network_operation(dt=rls_every, when="end", name="rls")
    def rls(t):
        # At 'end' of the step that started at t the state holds time t + dt.
        tn = float(t / second) + float(dt / second)
        if not (t_on < tn < t_off):
            return
        r = np.array(net_g.r_)            # Hz
        phi = np.array(net_g.phi_)        # seconds
        z = float(phi @ r)
        err = z - math.sin(2 * math.pi * freq * tn)
        cd = Pinv @ r
        net_g.phi_ = phi - cd * err
        scale = -1.0 / (1.0 + r @ cd)
        if dger is not None:
            dger(scale, cd, cd, a=Pinv, overwrite_a=True)
        else:
            Pinv[...] += scale * np.outer(cd, cd)
        n_updates[0] += 1

    zmon = StateMonitor(readout, "z", record=0, dt=1 * ms, when="end", name="zmon")
    smon = SpikeMonitor(net_g, record=False, name="spk")
    net = Network(net_g, readout, ro_syn, rec, rls, zmon, smon)
    ns = dict(tm=tm, tr=tr, td=td, BIAS=BIAS, vreset=vreset, vpeak=vpeak)

    # Warm-up: one step for code generation and compilation (not timed).
    net.run(dt, namespace=ns)
    sim_seconds, sim_cpu_seconds, loop_seconds = 0.0, 0.0, 0.0
    # Run to t_off, then to T, so the spikes of the test period can be counted.
    remaining = [args.t_off - float(dt / second), args.T - args.t_off]
    spikes_at_toff = None
    for seg in remaining:
        if seg > 1e-12:
            t0, c0 = time.perf_counter(), time.process_time()
            net.run(seg * second, namespace=ns)
            sim_seconds += time.perf_counter() - t0
            sim_cpu_seconds += time.process_time() - c0
            loop_seconds += float(b2.device._last_run_time)
        if spikes_at_toff is None:
            spikes_at_toff = int(smon.num_spikes)
    spikes_test = int(smon.num_spikes) - spikes_at_toff

    # The monitor records at 'end' of the step starting at t: z = phi . r(t).
    t_rec = np.asarray(zmon.t / second)
    z_rec = np.asarray(zmon.z[0])
    sample = 1e-3
    mid = 0.5 * (t_on + t_off)
    m_train = (t_rec >= mid) & (t_rec < t_off)
    m_test = t_rec >= t_off
    test_s = args.T - args.t_off
    out = {
        "target": args.target,
        "n": N,
        "T_s": args.T,
        "t_on_s": t_on,
        "t_off_s": t_off,
        "dt_ms": float(dt / ms),
        "seed": args.seed,
        "synapses": int(len(pre_idx)),
        "sim_seconds": sim_seconds,
        "sim_cpu_seconds": sim_cpu_seconds,
        "loop_seconds": loop_seconds,
        "total_seconds": None,
        "rate_hz": spikes_test / (N * test_s) if test_s > 0 else float("nan"),
        "train_rmse": rmse(z_rec[m_train], target_fn(t_rec[m_train])),
        "test_rmse": rmse(z_rec[m_test], target_fn(t_rec[m_test])),
        "test_rmse_phase_aligned": phase_aligned_rmse(t_rec[m_test], z_rec[m_test], target_fn,
                                                      window_s=1.0, max_shift_s=0.2, sample_s=sample),
        "rls_updates": n_updates[0],
        "brian2_version": b2.__version__,
    }
    out["total_seconds"] = time.perf_counter() - T_START
    # JSON has no NaN; report undefined metrics as null.
    out = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
