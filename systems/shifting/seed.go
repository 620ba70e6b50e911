package shifting

// RunSeed returns the seed of every random stream of the run.
func (c *ShiftingConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *ShiftingConfig) SetRunSeed(seed uint64) { c.Seed = seed }
