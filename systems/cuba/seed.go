package cuba

// RunSeed returns the seed of every random stream of the run.
func (c *CUBAConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *CUBAConfig) SetRunSeed(seed uint64) { c.Seed = seed }
