package olfaction

// RunSeed returns the seed of every random stream of the run.
func (c *OlfactionConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *OlfactionConfig) SetRunSeed(seed uint64) { c.Seed = seed }
