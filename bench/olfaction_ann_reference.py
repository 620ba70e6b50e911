#!/usr/bin/python3
"""PyTorch peer of spikelab's olfaction-ann, for bench/olfaction.sh and bench/all.sh.

The rate network of Wang et al. 2021 as spikelab's systems/olfaction/flyann.go
builds it (our own code, written from the same description): OR values tiled
[x, x, ...] over the ORNs -> PN = ReLU(BatchNorm(ORN |W1|)) -> KC =
Dropout(ReLU(PN |W2| + b2)) -> out = KC W3 + b3, cross-entropy, one Adam
step per batch (betas 0.9/0.999, eps 1e-8), the learning rate falling
geometrically per batch from lr to lr_end; W1 ~ U(0, 4/N_ORN), W2 ~ U(0,
4/N_PN), b2 = kc_bias, W3 and b3 ~ U(+-1/sqrt(N_KC)); BatchNorm momentum 0.1,
eps 1e-5; batches of fewer than 2 odors are skipped. Validation after every
epoch in evaluation mode (running BatchNorm statistics, no dropout).

The defaults are spikelab's olfaction-ann defaults. The odors come from the
same distribution as spikelab's (see olfaction_reference.odors) but from
NumPy's random stream.

Prints one JSON object: train_seconds and train_cpu_seconds (the training
loop with the per-epoch validation, as spikelab's train_seconds), their
per-epoch medians, val_accuracy and the library versions.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from olfaction_reference import common_args, odors, train  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common_args(ap, n_pn=50, n_kc=2500, epochs=30, lr=3e-3, lr_end=1e-4)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--kc-bias", type=float, default=-1.0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = torch.float64 if a.double else torch.float32
    tx, ty, vx, vy = odors(np.random.default_rng(a.seed), a.classes, a.n_or, a.n_train, a.n_val, a.tiling, dtype)
    n_orn = a.n_or * a.tiling

    def uniform(shape, lo, hi):
        return torch.empty(shape, dtype=dtype).uniform_(lo, hi).requires_grad_(True)

    W1 = uniform((n_orn, a.n_pn), 0, 4 / n_orn)
    W2 = uniform((a.n_pn, a.n_kc), 0, 4 / a.n_pn)
    b2 = torch.full((a.n_kc,), a.kc_bias, dtype=dtype, requires_grad=True)
    bound = 1 / a.n_kc ** 0.5
    W3 = uniform((a.n_kc, a.classes), -bound, bound)
    b3 = uniform((a.classes,), -bound, bound)
    bn = torch.nn.BatchNorm1d(a.n_pn, eps=1e-5, momentum=0.1, dtype=dtype)
    drop = torch.nn.Dropout(a.dropout)
    params = [W1, W2, b2, W3, b3] + list(bn.parameters())
    opt = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    relu = torch.nn.functional.relu

    def forward(x):
        pn = relu(bn(x @ W1.abs()))
        kc = drop(relu(pn @ W2.abs() + b2))
        return kc @ W3 + b3

    def train_batch(k):
        loss = torch.nn.functional.cross_entropy(forward(tx[k]), ty[k])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def mode(training):
        bn.train(training)
        drop.train(training)

    train(a, opt, dtype, min_batch=2, train_batch=train_batch, predict=lambda lo, hi: forward(vx[lo:hi]), vy=vy, mode=mode)

if __name__ == "__main__":
    main()
