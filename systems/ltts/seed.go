package ltts

// RunSeed returns the seed of every random stream of the run.
func (c *LTTSConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *LTTSConfig) SetRunSeed(seed uint64) { c.Seed = seed }

// RunSeed returns the seed of every random stream of the run.
func (c *LTTSWalkingConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *LTTSWalkingConfig) SetRunSeed(seed uint64) { c.Seed = seed }

// RunSeed returns the seed of every random stream of the run.
func (c *LTTSXORConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *LTTSXORConfig) SetRunSeed(seed uint64) { c.Seed = seed }
