// Package sim holds the pieces of the simulation core that every model
// shares: seeded random streams, the clock, monitors that record spikes and
// sampled signals, divergence checks and a worker pool for splitting hot
// loops over the cores.
package sim
