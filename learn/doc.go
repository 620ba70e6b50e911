// Package learn holds learning rules. Each rule reads the quantities it
// needs (filtered rates, errors, spikes) and changes weights it owns; none
// of them steps neurons or filters.
package learn
