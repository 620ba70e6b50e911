#!/usr/bin/python3
"""PyTorch peer of spikelab's olfaction-decolle, for bench/olfaction.sh.

The network a PyTorch user would write for the same model (our own code,
after the spec ../shared/specs/decolle_olfaction.md and spikelab's
learn/decolle.go): Bernoulli rate-coded odors (rate * x per step, the 50 OR
values tiled [x, x, ...] over the inputs) -> dense CUBA-LIF blocks (lava
constants: u <- (1-a_u) u + W s_in, v' = (1-a_v) v + u, s = [v' >= theta],
v <- v'(1-s)) -> a trainable linear readout of the last block. DECOLLE: each
block has a fixed random local readout G with a cross-entropy loss at every
step; block inputs, states of the previous step and the readout's input are
detached, so no gradient crosses a block or a step; the spike's surrogate
derivative is scale/(2 tau) exp(-|v' - theta|/tau). One Adam step per time
step after the burn-in, learning rate decayed geometrically per batch,
|W| on blocks from abs_from_block on after every step. Validation: argmax
of the time-summed final readout after the burn-in.

The defaults are spikelab's olfaction-decolle defaults (200 PNs, 60 steps,
threshold 5, no |W|); the spec's original network is --n-pn 50 --steps 30
--threshold 1.25 --abs-from-block 1 --epochs 3 --n-train 10000.

The odors come from the same generator as spikelab's (uniform prototypes
and odors, nearest-prototype labels) but from NumPy's random stream, so the
data are a different draw of the same distribution.

Prints one JSON object: train_seconds and train_cpu_seconds (the training
loop with the per-epoch validation, as spikelab's train_seconds), their
per-epoch values, val_accuracy and the library versions.
"""
import argparse
import json
import time

import numpy as np
import torch


def common_args(ap, n_pn, n_kc, epochs, lr, lr_end):
    """Adds the options both references share: the task, the two hidden
    layers' sizes, batch, epochs, learning-rate schedule, threads, precision
    and seed (defaults of the spikelab experiment given)."""
    ap.add_argument("--n-train", type=int, default=20000)
    ap.add_argument("--n-val", type=int, default=1000)
    ap.add_argument("--n-or", type=int, default=50)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--tiling", type=int, default=10)
    ap.add_argument("--n-pn", type=int, default=n_pn)
    ap.add_argument("--n-kc", type=int, default=n_kc)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--lr-end", type=float, default=lr_end)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--double", action="store_true", help="float64 (spikelab's precision) instead of float32")
    ap.add_argument("--seed", type=int, default=1)


def odors(rng, classes, n_or, n_train, n_val, tiling, dtype):
    """The odor task: uniform prototypes, then training and validation odors
    (uniform), each labelled with its nearest prototype; the odors tiled
    [x, x, ...] tiling times as tensors of dtype. Returns tx, ty, vx, vy."""
    proto = rng.random((classes, n_or))
    tx = rng.random((n_train, n_or))
    vx = rng.random((n_val, n_or))

    def label(x):
        d = ((x[:, None, :] - proto[None, :, :]) ** 2).sum(-1)
        return torch.tensor(d.argmin(1))

    ty, vy = label(tx), label(vx)
    return (torch.tensor(np.tile(tx, tiling), dtype=dtype), ty,
            torch.tensor(np.tile(vx, tiling), dtype=dtype), vy)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common_args(ap, n_pn=200, n_kc=500, epochs=2, lr=1e-3, lr_end=1e-5)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--burn-in", type=int, default=10)
    ap.add_argument("--rate", type=float, default=0.5)
    ap.add_argument("--threshold", type=float, default=5.0)
    ap.add_argument("--current-decay", type=float, default=0.25)
    ap.add_argument("--voltage-decay", type=float, default=0.03)
    ap.add_argument("--surrogate-scale", type=float, default=0.3)
    ap.add_argument("--surrogate-tau", type=float, default=3.75)
    ap.add_argument("--abs-from-block", type=int, default=9, help="|W| on blocks from this index on (9: none; the original: 1)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = torch.float64 if a.double else torch.float32
    rng = np.random.default_rng(a.seed)

    tx, ty, vx, vy = odors(rng, a.classes, a.n_or, a.n_train, a.n_val, a.tiling, dtype)
    sizes = [a.n_or * a.tiling, a.n_pn, a.n_kc]

    th, sc, tau = a.threshold, a.surrogate_scale, a.surrogate_tau

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return (v >= th).to(v.dtype)

        @staticmethod
        def backward(ctx, g):
            (v,) = ctx.saved_tensors
            return g * (sc / (2 * tau)) * torch.exp(-(v - th).abs() / tau)

    def uniform(shape, fan_in, grad):
        b = 1 / fan_in ** 0.5
        return torch.empty(shape, dtype=dtype).uniform_(-b, b).requires_grad_(grad)

    W = [uniform((sizes[l], sizes[l + 1]), sizes[l], True) for l in range(len(sizes) - 1)]
    G = [uniform((sizes[l + 1], a.classes), sizes[l + 1], False) for l in range(len(sizes) - 1)]
    R = uniform((sizes[-1], a.classes), sizes[-1], True)
    Rb = uniform((a.classes,), sizes[-1], True)
    with torch.no_grad():
        for l in range(a.abs_from_block, len(W)):
            W[l].abs_()
    opt = torch.optim.Adam(W + [R, Rb], lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    ku, kv = 1 - a.current_decay, 1 - a.voltage_decay
    ce = torch.nn.functional.cross_entropy

    def run(x, y, learn):
        """One batch: burn-in, then steps; returns the time-summed final readout."""
        bsz = x.shape[0]
        u = [torch.zeros(bsz, n, dtype=dtype) for n in sizes[1:]]
        v = [torch.zeros(bsz, n, dtype=dtype) for n in sizes[1:]]
        total = torch.zeros(bsz, a.classes, dtype=dtype)
        for t in range(a.burn_in + a.steps):
            s = torch.bernoulli(a.rate * x)
            train = learn and t >= a.burn_in
            with torch.set_grad_enabled(train):
                loss = 0
                for l in range(len(W)):
                    z = s.detach() @ W[l]
                    u[l] = ku * u[l].detach() + z
                    vp = kv * v[l].detach() + u[l]
                    s = Spike.apply(vp)
                    v[l] = vp * (1 - s)
                    if train:
                        loss = loss + ce(s @ G[l], y)
                yf = s.detach() @ R + Rb
                if train:
                    loss = loss + ce(yf, y)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    with torch.no_grad():
                        for l in range(a.abs_from_block, len(W)):
                            W[l].abs_()
            if t >= a.burn_in:
                total += yf.detach()
        return total

    train(a, opt, dtype, min_batch=1, train_batch=lambda k: run(tx[k], ty[k], True),
          predict=lambda lo, hi: run(vx[lo:hi], vy[lo:hi], False), vy=vy)


def train(a, opt, dtype, min_batch, train_batch, predict, vy, mode=lambda training: None):
    """The training loop both references share: a.epochs epochs, each over a
    random permutation of the a.n_train training odors cut into batches of
    a.batch (a last batch below min_batch skipped), train_batch(indices) per
    batch with opt's learning rate falling geometrically from a.lr to
    a.lr_end over all batches, then the validation accuracy of
    predict(lo, hi) (class scores of validation odors lo..hi-1) against vy;
    mode(True/False) switches training or evaluation mode. Prints the JSON
    report: the loop's wall and CPU seconds with the validations, per-epoch
    medians, accuracies and versions."""
    n_batch = sum(1 for lo in range(0, a.n_train, a.batch) if a.n_train - lo >= min_batch)
    total_batches = a.epochs * n_batch
    gamma = np.log(a.lr_end / a.lr) if a.lr_end > 0 else 0.0
    done = 0
    w0, c0 = time.perf_counter(), time.process_time()
    per_epoch, per_epoch_cpu, accs = [], [], []
    for e in range(a.epochs):
        we, ce0 = time.perf_counter(), time.process_time()
        perm = torch.randperm(a.n_train)
        mode(True)
        for lo in range(0, a.n_train, a.batch):
            k = perm[lo:lo + a.batch]
            if len(k) < min_batch:
                continue
            for g in opt.param_groups:
                g["lr"] = a.lr * np.exp(gamma * done / max(total_batches - 1, 1))
            train_batch(k)
            done += 1
        mode(False)
        hit = 0
        with torch.no_grad():
            for lo in range(0, a.n_val, a.batch):
                hit += int((predict(lo, lo + a.batch).argmax(1) == vy[lo:lo + a.batch]).sum())
        accs.append(hit / a.n_val)
        per_epoch.append(time.perf_counter() - we)
        per_epoch_cpu.append(time.process_time() - ce0)
    print(json.dumps({
        "train_seconds": time.perf_counter() - w0,
        "train_cpu_seconds": time.process_time() - c0,
        "seconds_per_epoch": float(np.median(per_epoch)),
        "cpu_seconds_per_epoch": float(np.median(per_epoch_cpu)),
        "val_accuracy": accs[-1],
        "val_accuracy_per_epoch": accs,
        "torch": torch.__version__,
        "dtype": str(dtype).replace("torch.", ""),
        "threads": a.threads,
    }))

if __name__ == "__main__":
    main()
