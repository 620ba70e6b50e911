// Package all registers every learning system's experiments with the
// experiment framework: import it for its side effect,
//
//	import _ "github.com/spikelab/spikelab/systems/all"
//
// and experiment.All lists them. The command-line program does exactly this.
package all

import (
	// Each system registers its experiments in an init function.
	_ "github.com/spikelab/spikelab/systems/cuba"
	_ "github.com/spikelab/spikelab/systems/force"
	_ "github.com/spikelab/spikelab/systems/ltts"
	_ "github.com/spikelab/spikelab/systems/maes"
	_ "github.com/spikelab/spikelab/systems/olfaction"
	_ "github.com/spikelab/spikelab/systems/shifting"
)
