#!/usr/bin/python3
"""Times the reference Shifting Learning code (PyTorch) on the Iris 5-fold
protocol, for the side-by-side in bench/shifting.sh.

Needs a checkout of the reference repository (github.com/SZU-ADDG/Shifting-Learning)
given by --ref, and PyTorch for /usr/bin/python3 (Debian: apt-get install
python3-torch). The reference's Dataset.py needs pandas, torchvision,
scikit-image and the authors' data paths, so this script supplies a small
stand-in module providing only iris_loader, with the reference's
preprocessing: rows shuffled once with torch.randperm, targets one-hot
0.99/0.01, features min-max scaled with one global min and max, plus 0.01.

Prints one JSON line: per-seed 5-fold accuracy, mean, sd, and the time per
training epoch (wall time of Iris_fold / (5 folds x 400 epochs); it includes
the reference's own per-epoch parameter saving).
"""
import argparse
import io
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stdout

STAND_IN = '''
import torch

def iris_loader():
    rows = []
    with open(IRIS_CSV) as f:
        next(f)
        for line in f:
            v = line.strip().split(",")
            if len(v) == 5:
                rows.append([float(x) for x in v[:4]] + [int(v[4])])
    data = torch.tensor([r[:4] for r in rows], dtype=torch.float64)
    labels = torch.tensor([r[4] for r in rows])
    perm = torch.randperm(len(rows))
    data, labels = data[perm], labels[perm]
    lo, hi = data.min(), data.max()
    data = (data - lo) / (hi - lo) + 0.01
    onehot = torch.full((len(rows), 3), 0.01, dtype=torch.float64)
    onehot[torch.arange(len(rows)), labels] = 0.99
    return data, onehot
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True, help="checkout of SZU-ADDG/Shifting-Learning")
    ap.add_argument("--iris", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "task", "data", "iris.csv"))
    ap.add_argument("--seeds", type=int, default=3)
    a = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("needs PyTorch for this interpreter: apt-get install python3-torch")
    work = tempfile.mkdtemp(prefix="shifting-ref-")
    try:
        for f in ("SL_Layer.py", "SL_small.py"):
            shutil.copy(os.path.join(a.ref, f), work)
        with open(os.path.join(work, "Dataset.py"), "w") as f:
            f.write("IRIS_CSV = %r\n" % os.path.abspath(a.iris) + STAND_IN)
        os.makedirs(os.path.join(work, "parameters_record", "Iris"))
        os.makedirs(os.path.join(work, "results_record"))
        os.chdir(work)
        sys.path.insert(0, work)
        import SL_small
        accs, secs, cpus = [], [], []
        for s in range(a.seeds):
            torch.manual_seed(s)
            out = io.StringIO()
            t0, c0 = time.perf_counter(), time.process_time()
            with redirect_stdout(out):
                SL_small.Iris_fold()
            secs.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            m = re.search(r"5-fold accuracy: ([0-9.]+)/30", out.getvalue())
            accs.append(float(m.group(1)) / 30)
        print(json.dumps({"seeds": a.seeds, "accuracy": accs, "accuracy_mean": statistics.mean(accs),
                          "accuracy_sd": statistics.stdev(accs) if len(accs) > 1 else 0.0,
                          "ms_per_epoch": 1000 * statistics.median(secs) / (5 * 400),
                          "cpu_ms_per_epoch": 1000 * statistics.median(cpus) / (5 * 400), "torch": torch.__version__}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
