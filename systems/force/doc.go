// Package force holds the FORCE experiments of Nicola & Clopath (2017):
// spiking networks (LIF, Izhikevich or theta neurons, chosen by the config
// key model from a registry of models) whose linear readout is trained by
// recursive least squares and fed back through fixed encoders, on a
// built-in supervisor (target.kind), on a recording (target.kind=file:
// .wav spectrogram, .npy, .npz, .csv or PNG frames; filetarget.go) or, from
// Go, on the user's own function of time (ForceConfig.TargetFunc). An HDTS
// input (input.kind=hdts) drives the songbird and movie networks
// (songbird.go, movie.go); force-classify (classify.go) feeds 2-D points.
//
// # Why FORCE keeps its fused step instead of running on sim.Network
//
// FORCE was to run on the network frame (sim.Network) unless that cost
// more than 3 % of its loop time. It does cost more, so the LIF network
// with one output keeps its fused step (fusedStep, fused.go): one pass
// over the neurons does the decay of the input filter, the LIF update, the
// spike flags, the decay of the rate filter and the readout sum. The
// frame's slots (filters, update, threshold, propagation, monitors) would
// split that into separate passes over the neurons' arrays. The serial
// path of this package (serialStep, forceFused = false) is such a split,
// and still a favourable one for the frame: it already fuses the filter
// decay with the input current and with the readout. Measured on
// force-sine at its defaults (2000 LIF neurons, 15 s, dt 0.05 ms), one
// thread, the two paths built from commit b58293f (the second with
// forceFused = false) and run alternately:
//
//	spikelab run force-sine --threads 1 --quiet --out DIR
//
// on a 2-core amd64 machine with AVX-512, shared (load ≈ 3). Metric
// loop_seconds (the time loop only, RLS included), 4 batches of 5
// alternating runs, 20 runs of each path:
//
//	                   fused     serial (unfused)
//	median             1.159 s   1.373 s    +18 % (median of paired ratios +15 %)
//	fastest            0.986 s   1.182 s    +20 %
//	batch medians      1.12–1.34 s  1.37–1.51 s   +2 % to +31 %
//
// A fifth batch of 5 pairs, timed also by the process's CPU time: loop
// medians 1.085 s and 1.329 s (+22 %), CPU time medians 1.351 s and
// 1.532 s (+13 %, set-up and output included).
//
// Both paths give the same spikes and training error (645 884 spikes,
// train_rmse 0.019842). Even the noisiest batch's median shows no gain for
// the split path, and the medians over all runs put its cost at 15–20 % of
// the loop time, at least five times the 3 % allowed. The other models
// (Izhikevich, theta) and several outputs have no fused step and use the
// serial path.
package force
