#!/usr/bin/python3
"""Times the reference LTTS code (github.com/myscience/LTTS, NumPy) on the
3D trajectory task, for the side-by-side in bench/ltts.sh.

Needs a checkout of the reference repository (--ref) and NumPy and tqdm for
/usr/bin/python3 (Debian: apt-get install python3-numpy python3-tqdm). It
builds the task with the constants of the reference's src/test.py, calls
the reference's own CuLTTS.train for --epochs epochs (online, tracking the
free-running MSE as the script does) and prints one JSON line with the
seconds per epoch (wall and process CPU, all threads together) and the
final MSE.

--blas-threads N limits OpenBLAS/OpenMP/MKL to N threads by setting
OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS before NumPy is
imported (they are read when the BLAS library loads); 0, the default,
leaves the environment alone (the BLAS library's default: all cores).
"""
import argparse
import contextlib
import io
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True, help="checkout of myscience/LTTS")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--blas-threads", type=int, default=0, help="BLAS threads (0: leave the environment alone)")
    a = ap.parse_args()
    if a.epochs < 5:
        sys.exit("--epochs must be at least 5 (the reference divides by epochs // 5)")
    if a.blas_threads < 0:
        sys.exit("--blas-threads must be >= 0")
    if a.blas_threads > 0:
        if "numpy" in sys.modules:
            sys.exit("NumPy was imported before the BLAS thread count could be set")
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(a.blas_threads)
    sys.path.insert(0, os.path.join(a.ref, "src"))
    import numpy as np
    # The reference uses np.bool, removed in NumPy 1.24: restore the alias.
    if "bool" not in np.__dict__:  # (hasattr would warn on NumPy 1.24)
        np.bool = bool
    import utils as ut
    from ltts import CuLTTS

    np.random.seed(a.seed)
    N, T = 500, 1000
    dt = 1 / T
    par = {"tau_m": 8 * dt, "tau_s": 2 * dt, "tau_ro": 20 * dt, "beta_ro": np.exp(-1 / 20), "dv": 1 / 20,
           "alpha": 0.01, "alpha_rout": 0.02, "Vo": -4, "h": -4, "s_inh": 20, "N": N, "T": T, "dt": dt, "offT": 20}
    ltts = CuLTTS((N, T), par)
    P = ut.kTrajectory(T, K=3, offT=20, norm=True)
    C = ut.kClock(T, K=5)
    Iteach = np.random.normal(0., 2., size=(N, 3)) @ P
    Iclock = np.random.normal(0., 4., size=(N, 5)) @ C
    S = ltts.compute(Iteach + Iclock, init=np.zeros(N))
    t0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stderr(io.StringIO()):
        _, track = ltts.train([S], [Iclock], outs=[P], epochs=a.epochs, track=True)
    sec = (time.perf_counter() - t0) / a.epochs
    cpu = (time.process_time() - c0) / a.epochs
    mse = float(np.ravel(track)[-1]) if len(track) else float("nan")
    print(json.dumps({"epochs": a.epochs, "seconds_per_epoch": sec, "cpu_seconds_per_epoch": cpu, "final_mse": mse,
                      "blas_threads": a.blas_threads, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
