package force

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spikelab/spikelab/experiment"
	"github.com/spikelab/spikelab/neuron"
)

// forceModel is a neuron model FORCE can train: a neuron.Population in the
// model's own units (not a frame group: FORCE's gains, alpha and the
// reference code's parameters are in those units).
type forceModel struct {
	// seconds: the model's time unit is the second (else the ms); steps,
	// synaptic time constants and the clock are converted to it.
	seconds bool
	// validate reports the first unusable parameter of the model's config
	// section by its yaml key (nil when the model has none).
	validate func(c *ForceConfig) error
	// build returns n neurons stepped by dt (in the model's time unit).
	build func(c *ForceConfig, n int, dt float64) (neuron.Population, error)
}

// forceModels are the models selected by the config key model. Adding a
// model is adding an entry (and, if it has parameters, a config section).
var forceModels = map[string]forceModel{
	"lif": {
		seconds:  true,
		validate: func(c *ForceConfig) error { return experiment.Keyed("lif", c.LIF, c.LIF.Validate()) },
		build: func(c *ForceConfig, n int, dt float64) (neuron.Population, error) {
			return neuron.NewLIF(n, dt, c.LIF), nil
		},
	},
	"izhikevich": {
		seconds: false,
		validate: func(c *ForceConfig) error {
			return experiment.Keyed("izhikevich", c.Izhikevich, c.Izhikevich.Validate())
		},
		build: func(c *ForceConfig, n int, dt float64) (neuron.Population, error) {
			return neuron.NewIzhikevich(n, dt, c.Izhikevich), nil
		},
	},
	"theta": {
		seconds: true,
		build: func(c *ForceConfig, n int, dt float64) (neuron.Population, error) {
			return neuron.NewTheta(n, dt), nil
		},
	},
}

// forceModelNames returns the registered model names, sorted.
func forceModelNames() []string {
	names := make([]string, 0, len(forceModels))
	for name := range forceModels {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// model returns the config's model entry, or an error listing the
// registered names.
func (c *ForceConfig) model() (forceModel, error) {
	m, ok := forceModels[c.Model]
	if !ok {
		return forceModel{}, fmt.Errorf("model %q is unknown: use %s", c.Model, strings.Join(forceModelNames(), ", "))
	}
	return m, nil
}
