package force

// RunSeed returns the seed of every random stream of the run.
func (c *ForceConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *ForceConfig) SetRunSeed(seed uint64) { c.Seed = seed }
