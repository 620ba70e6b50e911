package experiment

import (
	"bytes"
	"fmt"
	"os"
	"sort"
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
	if err := decodeStrict(cfg, b); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func decodeStrict(cfg Config, b []byte) error {
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
// yaml keys ("lif.tau_m_s"); value is parsed as YAML and must have the
// key's type.
func Set(cfg Config, assignment string) error {
	key, value, ok := strings.Cut(assignment, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return fmt.Errorf("--set %q: want key=value", assignment)
	}
	var root yaml.Node
	if err := root.Encode(cfg); err != nil {
		return fmt.Errorf("--set %s: %w", key, err)
	}
	node := &root
	path := strings.Split(key, ".")
	for depth, part := range path {
		if node.Kind != yaml.MappingNode {
			return fmt.Errorf("--set %s: %q is not a section", key, strings.Join(path[:depth], "."))
		}
		var next *yaml.Node
		var names []string
		for k := 0; k+1 < len(node.Content); k += 2 {
			names = append(names, node.Content[k].Value)
			if node.Content[k].Value == part {
				next = node.Content[k+1]
			}
		}
		if next == nil {
			where := "the config"
			if depth > 0 {
				where = strings.Join(path[:depth], ".")
			}
			sort.Strings(names)
			return fmt.Errorf("--set %s: unknown key %q in %s; known keys: %s", key, part, where, strings.Join(names, ", "))
		}
		node = next
	}
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("--set %s: is a section; set one of its keys (e.g. %s.KEY=VALUE)", key, key)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return fmt.Errorf("--set %s: cannot parse value %q: %v", key, value, err)
	}
	var val *yaml.Node
	if len(doc.Content) == 1 {
		val = doc.Content[0]
	} else {
		val = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: ""}
	}
	if val.Kind != yaml.ScalarNode {
		return fmt.Errorf("--set %s: value %q must be a single value", key, value)
	}
	if err := compatible(node.Tag, val); err != nil {
		return fmt.Errorf("--set %s: value %q %v", key, value, err)
	}
	if node.Tag == "!!str" {
		node.Value, node.Style = val.Value, yaml.DoubleQuotedStyle
	} else {
		node.Tag, node.Value, node.Style = val.Tag, val.Value, 0
	}
	if err := root.Decode(cfg); err != nil {
		return fmt.Errorf("--set %s: value %q: %v", key, value, cleanYAMLError(err))
	}
	return nil
}

func compatible(tag string, val *yaml.Node) error {
	switch tag {
	case "!!int":
		if val.Tag != "!!int" {
			return fmt.Errorf("is not an integer")
		}
	case "!!float":
		if val.Tag != "!!int" && val.Tag != "!!float" {
			return fmt.Errorf("is not a number")
		}
	case "!!bool":
		if val.Tag != "!!bool" {
			return fmt.Errorf("is not true or false")
		}
	}
	return nil
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
