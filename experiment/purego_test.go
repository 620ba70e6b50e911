//go:build purego

package experiment_test

const purego = true
