// Package fuzz holds raftcheck's cross-package fuzz targets and property tests. It has no
// non-test code; everything lives in _test.go files.
package fuzz
