package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
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
		if errors.Is(err, io.EOF) { // only comments: nothing to overlay
			return nil
		}
		return cleanYAMLError(err, b)
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+): cannot unmarshal (\S+)(?: ` + "`" + `([^` + "`" + `]*)` + "`" + `)? into (\S+)`)

var yamlUnknown = regexp.MustCompile(`line (\d+): field (\S+) not found in type`)

// cleanYAMLError rewrites the YAML decoder's messages: unknown keys and
// type errors name the key (dotted path) and its line.
func cleanYAMLError(err error, doc []byte) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if m := yamlUnknown.FindStringSubmatch(l); m != nil {
			line, _ := strconv.Atoi(m[1])
			key := m[2]
			if k := keyNamed(doc, line, m[2]); k != "" {
				key = k
			}
			l = fmt.Sprintf("line %s: unknown key %s (run `spikelab config NAME` to see the keys)", m[1], key)
		} else if m := yamlLine.FindStringSubmatch(l); m != nil {
			line, _ := strconv.Atoi(m[1])
			key := keyAtLine(doc, line)
			what := m[2]
			switch what {
			case "!!str":
				what = fmt.Sprintf("the text %q", m[3])
			case "!!seq":
				what = "a list"
			case "!!map":
				what = "a section"
			case "!!float", "!!int", "!!bool":
				what = fmt.Sprintf("the value %s", m[3])
			}
			want := map[string]string{"int": "an integer", "float64": "a number", "bool": "true or false", "string": "text",
				"uint64": "a non-negative integer", "int64": "an integer", "int32": "an integer", "float32": "a number"}[m[4]]
			if want == "" {
				want = m[4]
			}
			if key != "" {
				l = fmt.Sprintf("line %s: key %s: %s where %s is needed", m[1], key, what, want)
			} else {
				l = fmt.Sprintf("line %s: %s where %s is needed", m[1], what, want)
			}
		}
		lines = append(lines, l)
	}
	return fmt.Errorf("%s", strings.Join(lines, "; "))
}

// keyAtLine returns the dotted key whose value starts on line (1-based)
// of the YAML document doc, or "".
func keyAtLine(doc []byte, line int) string { return findKey(doc, line, "") }

// keyNamed returns the dotted path of the key name on line, or "".
func keyNamed(doc []byte, line int, name string) string { return findKey(doc, line, name) }

// findKey returns the dotted path of the key on line (whose value starts
// there, or, when name is given, the key name itself), or "".
func findKey(doc []byte, line int, name string) string {
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil {
		return ""
	}
	var walk func(n *yaml.Node, path []string) string
	walk = func(n *yaml.Node, path []string) string {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if k := walk(c, path); k != "" {
					return k
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := append(append([]string(nil), path...), k.Value)
				if name == "" && v.Line == line && v.Kind != yaml.MappingNode || name != "" && k.Line == line && k.Value == name {
					return strings.Join(p, ".")
				}
				if r := walk(v, p); r != "" {
					return r
				}
			}
		}
		return ""
	}
	return walk(&root, nil)
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
