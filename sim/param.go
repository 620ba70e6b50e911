package sim

import (
	"fmt"
	"strings"
)

// ParamError reports an unusable parameter of a core model or rule. It
// names parameters by their Go field names; a configuration layer that
// knows the keys a user typed rewrites them (see Format), so that the core
// never speaks in configuration keys.
type ParamError struct {
	// Model names the parameter set, e.g. "AdEx" or "VoltageSTDP".
	Model string
	// Fields are the Go field names involved, the one at fault first; Msg
	// refers to them as {0}, {1}, ...
	Fields []string
	// Msg states the violated condition, e.g. "{0} must be > 0, got -1".
	Msg string
}

// BadParam returns a ParamError of model about fields; msg is formatted
// with args (fmt.Sprintf) and refers to the fields as {0}, {1}, ...
func BadParam(model string, fields []string, msg string, args ...any) *ParamError {
	return &ParamError{Model: model, Fields: fields, Msg: fmt.Sprintf(msg, args...)}
}

// Format returns the message with each field named by name(field).
func (e *ParamError) Format(name func(field string) string) string {
	s := e.Msg
	for i, f := range e.Fields {
		s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), name(f))
	}
	return s
}

// Error returns "Model: message" with the fields' Go names.
func (e *ParamError) Error() string {
	return e.Model + ": " + e.Format(func(f string) string { return f })
}
