package neuron

import (
	"fmt"
	"sort"
	"sync"

	"github.com/spikelab/spikelab/sim"
)

// Constructor builds a group of n neurons of one model with the network's
// step and team, from named parameters in the frame's units (the keys are
// the model's yaml names, e.g. "tau_m_ms"; a missing key keeps the model's
// default, an unknown key is an error).
type Constructor func(env sim.Env, n int, params map[string]float64) (sim.Group, error)

var registry = struct {
	sync.Mutex
	m map[string]Constructor
}{m: map[string]Constructor{}}

// Register makes a model available under name. Registering a name twice,
// an empty name or a nil constructor is an error.
func Register(name string, ctor Constructor) error {
	if name == "" || ctor == nil {
		return fmt.Errorf("neuron.Register needs a name and a constructor")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.m[name]; ok {
		return fmt.Errorf("neuron model %q is already registered", name)
	}
	registry.m[name] = ctor
	return nil
}

// Lookup returns the constructor of the named model.
func Lookup(name string) (Constructor, error) {
	registry.Lock()
	defer registry.Unlock()
	c, ok := registry.m[name]
	if !ok {
		return nil, fmt.Errorf("no neuron model %q (registered: %v)", name, modelsLocked())
	}
	return c, nil
}

// Models returns the names of the registered models, sorted.
func Models() []string {
	registry.Lock()
	defer registry.Unlock()
	return modelsLocked()
}

func modelsLocked() []string {
	s := make([]string, 0, len(registry.m))
	for k := range registry.m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// mustRegister registers a model of this package at init.
func mustRegister(name string, ctor Constructor) {
	if err := Register(name, ctor); err != nil {
		panic(err)
	}
}

// setParams copies params into the fields named by their keys.
func setParams(model string, params map[string]float64, fields map[string]*float64) error {
	for k, v := range params {
		f, ok := fields[k]
		if !ok {
			names := make([]string, 0, len(fields))
			for n := range fields {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("%s has no parameter %q (it has %v)", model, k, names)
		}
		*f = v
	}
	return nil
}

func init() {
	mustRegister("lifexp", func(env sim.Env, n int, params map[string]float64) (sim.Group, error) {
		p := DefaultLIFExp()
		if err := setParams("lifexp", params, map[string]*float64{"tau_m_ms": &p.TauM, "tau_e_ms": &p.TauE,
			"tau_i_ms": &p.TauI, "v_t_mv": &p.VT, "v_r_mv": &p.VR, "e_l_mv": &p.EL, "tau_ref_ms": &p.TauRef}); err != nil {
			return nil, err
		}
		return NewLIFExpGroup(env, n, p)
	})
	mustRegister("adex", func(env sim.Env, n int, params map[string]float64) (sim.Group, error) {
		p := DefaultAdExGroup()
		q := &p.Neuron
		setT := 0.0
		if q.SetT {
			setT = 1
		}
		if err := setParams("adex", params, map[string]*float64{"c_pf": &q.C, "tau_m_ms": &q.TauM, "e_l_mv": &q.EL,
			"delta_t_mv": &q.DeltaT, "v_t0_mv": &q.VT0, "a_t_mv": &q.AT, "tau_t_ms": &q.TauT, "set_thresh": &setT,
			"a_ns": &q.A, "b_pa": &q.B, "tau_w_ms": &q.TauW, "v_peak_mv": &q.VPeak, "v_reset_mv": &q.VReset,
			"tau_ref_ms": &q.TauRef, "e_e_mv": &q.EE, "e_i_mv": &q.EI, "v_init_lo_mv": &q.VInitLo, "v_init_hi_mv": &q.VInitHi,
			"tau_rise_e_ms": &p.TauRiseEMS, "tau_decay_e_ms": &p.TauDecayEMS,
			"tau_rise_i_ms": &p.TauRiseIMS, "tau_decay_i_ms": &p.TauDecayIMS}); err != nil {
			return nil, err
		}
		q.SetT = setT != 0
		return NewAdExGroup(env, n, p)
	})
	mustRegister("alif", newALIFFromParams)
}
