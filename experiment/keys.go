package experiment

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/spikelab/spikelab/sim"
)

// Keyed puts a core validation error into configuration terms: section is
// the dotted key of the config section that holds params (e.g.
// "network.exc"), and params the parameter struct that was validated. A
// *sim.ParamError's Go field names become their yaml keys under section
// ("network.exc.tau_m_ms must be > 0, got 0"); any other error is prefixed
// with the section. A nil err gives nil.
func Keyed(section string, params any, err error) error {
	if err == nil {
		return nil
	}
	var pe *sim.ParamError
	if !errors.As(err, &pe) {
		if section == "" {
			return err
		}
		return fmt.Errorf("%s: %w", section, err)
	}
	t := reflect.TypeOf(params)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return errors.New(pe.Format(func(field string) string {
		key := field
		if t != nil && t.Kind() == reflect.Struct {
			if sf, ok := t.FieldByName(field); ok {
				if tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
					key = tag
				} else {
					key = strings.ToLower(field)
				}
			}
		}
		if section != "" {
			key = section + "." + key
		}
		return key
	}))
}
