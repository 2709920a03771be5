package wal

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
)

// memFS is a plain in-memory FS without crash semantics: for format tests, the fuzz target
// and benchmarks. Every call is counted.
type memFS struct {
	files map[string][]byte
	calls int
}

func newMemFS() *memFS { return &memFS{files: map[string][]byte{}} }

func (m *memFS) notExist(op, name string) error {
	return fmt.Errorf("memfs: %s %q: %w", op, name, fs.ErrNotExist)
}

func (m *memFS) Append(name string, p []byte) error {
	m.calls++
	m.files[name] = append(m.files[name], p...)
	return nil
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	b, ok := m.files[name]
	if !ok {
		return nil, m.notExist("read", name)
	}
	return slices.Clone(b), nil
}

func (m *memFS) Size(name string) (int64, error) {
	b, ok := m.files[name]
	if !ok {
		return 0, m.notExist("size", name)
	}
	return int64(len(b)), nil
}

func (m *memFS) Truncate(name string, size int64) error {
	m.calls++
	b, ok := m.files[name]
	if !ok {
		return m.notExist("truncate", name)
	}
	if int(size) <= len(b) {
		m.files[name] = b[:size]
	} else {
		m.files[name] = append(b, make([]byte, int(size)-len(b))...)
	}
	return nil
}

func (m *memFS) Rename(oldName, newName string) error {
	m.calls++
	b, ok := m.files[oldName]
	if !ok {
		return m.notExist("rename", oldName)
	}
	delete(m.files, oldName)
	m.files[newName] = b
	return nil
}

func (m *memFS) Remove(name string) error {
	m.calls++
	if _, ok := m.files[name]; !ok {
		return m.notExist("remove", name)
	}
	delete(m.files, name)
	return nil
}

func (m *memFS) List() ([]string, error) {
	return slices.Sorted(maps.Keys(m.files)), nil
}

func (m *memFS) Sync(name string) error {
	m.calls++
	if _, ok := m.files[name]; !ok {
		return m.notExist("sync", name)
	}
	return nil
}

func (m *memFS) SyncDir() error {
	m.calls++
	return nil
}

// clone returns an independent copy of m.
func (m *memFS) clone() *memFS {
	c := newMemFS()
	for name, b := range m.files {
		c.files[name] = slices.Clone(b)
	}
	return c
}
