package maes

// RunSeed returns the seed of every random stream of the run.
func (c *MaesReadoutConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *MaesReadoutConfig) SetRunSeed(seed uint64) { c.Seed = seed }

// RunSeed returns the seed of every random stream of the run.
func (c *MaesReplayConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *MaesReplayConfig) SetRunSeed(seed uint64) { c.Seed = seed }

// RunSeed returns the seed of every random stream of the run.
func (c *MaesTrainConfig) RunSeed() uint64 { return c.Seed }

// SetRunSeed sets the seed of every random stream of the run.
func (c *MaesTrainConfig) SetRunSeed(seed uint64) { c.Seed = seed }
