package experiment

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadFile overlays the YAML file at path onto cfg. Keys that cfg does not
// have are errors.
func LoadFile(cfg Config, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	if err := Decode(cfg, b); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// Decode overlays the YAML document b onto cfg; keys that cfg does not have
// are errors naming the key and line.
func Decode(cfg Config, b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return cleanYAMLError(err)
	}
	return nil
}

func cleanYAMLError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	if strings.Contains(msg, "not found in type") {
		msg = strings.Replace(msg, " not found in type", " is not a known key of", 1)
		msg += " (run `spikelab config NAME` to see the keys)"
	}
	return fmt.Errorf("%s", msg)
}

// Set applies one "key=value" override to cfg. key is a dotted path of
// yaml keys ("lif.tau_m_s"); value must parse as the key's type (integer,
// number, true/false or text).
func Set(cfg Config, assignment string) error {
	key, value, ok := strings.Cut(assignment, "=")
	key = strings.TrimSpace(key)
	value = strings.TrimSpace(value)
	if !ok || key == "" {
		return fmt.Errorf("--set %q: want key=value", assignment)
	}
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("--set %s: config is not a pointer to a struct", key)
	}
	v = v.Elem()
	path := strings.Split(key, ".")
	for depth, part := range path {
		if v.Kind() != reflect.Struct {
			return fmt.Errorf("--set %s: %q is not a section", key, strings.Join(path[:depth], "."))
		}
		f, names := fieldByYAML(v, part)
		if !f.IsValid() {
			where := "the config"
			if depth > 0 {
				where = "section " + strings.Join(path[:depth], ".")
			}
			return fmt.Errorf("--set %s: unknown key %q in %s; known keys: %s", key, part, where, strings.Join(names, ", "))
		}
		v = f
	}
	switch v.Kind() {
	case reflect.Struct:
		return fmt.Errorf("--set %s: is a section; set one of its keys (%s.KEY=VALUE)", key, key)
	case reflect.Float64, reflect.Float32:
		x, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("--set %s: value %q is not a finite number", key, value)
		}
		v.SetFloat(x)
	case reflect.Int, reflect.Int64, reflect.Int32:
		x, err := strconv.ParseInt(value, 10, 64)
		if err != nil || v.OverflowInt(x) {
			return fmt.Errorf("--set %s: value %q is not an integer", key, value)
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		x, err := strconv.ParseUint(value, 10, 64)
		if err != nil || v.OverflowUint(x) {
			return fmt.Errorf("--set %s: value %q is not a non-negative integer", key, value)
		}
		v.SetUint(x)
	case reflect.Bool:
		x, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("--set %s: value %q is not true or false", key, value)
		}
		v.SetBool(x)
	case reflect.String:
		v.SetString(value)
	default:
		return fmt.Errorf("--set %s: keys of type %s cannot be set from the command line; use --config", key, v.Type())
	}
	return nil
}

// fieldByYAML returns the field of struct v whose yaml key is name, and
// the sorted list of all keys.
func fieldByYAML(v reflect.Value, name string) (reflect.Value, []string) {
	t := v.Type()
	var names []string
	var found reflect.Value
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if tag == "-" {
			continue
		}
		if opts == "inline" && sf.Type.Kind() == reflect.Struct {
			f, inner := fieldByYAML(v.Field(i), name)
			names = append(names, inner...)
			if f.IsValid() {
				found = f
			}
			continue
		}
		if tag == "" {
			tag = strings.ToLower(sf.Name)
		}
		names = append(names, tag)
		if tag == name {
			found = v.Field(i)
		}
	}
	sort.Strings(names)
	return found, names
}

// Marshal returns cfg as YAML.
func Marshal(cfg Config) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return nil, err
	}
	enc.Close()
	return buf.Bytes(), nil
}
