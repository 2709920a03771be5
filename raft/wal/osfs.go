package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FS is the small file-system interface the WAL writes through: a flat directory of named
// files. simnet.Disk satisfies it, as does OSFS on a real directory. Missing files are
// reported with errors satisfying errors.Is(err, fs.ErrNotExist). Append must not retain p.
type FS interface {
	Append(name string, p []byte) error
	ReadFile(name string) ([]byte, error)
	Size(name string) (int64, error)
	Truncate(name string, size int64) error
	Rename(oldName, newName string) error
	Remove(name string) error
	List() ([]string, error) // sorted names
	Sync(name string) error  // file data durable
	SyncDir() error          // creates, renames, removes durable
}

// OSFS implements FS on the real directory Dir with package os. File names must be plain
// names (no path separators). Missing files give errors satisfying
// errors.Is(err, fs.ErrNotExist), as os does.
type OSFS struct{ Dir string }

var _ FS = OSFS{}

func (o OSFS) path(name string) (string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("wal: OSFS: invalid file name %q", name)
	}
	return filepath.Join(o.Dir, name), nil
}

// Append writes p at the end of file name, creating it if missing.
func (o OSFS) Append(name string, p []byte) error {
	path, err := o.path(name)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(p)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadFile returns the contents of file name.
func (o OSFS) ReadFile(name string) ([]byte, error) {
	path, err := o.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// Size returns the length of file name.
func (o OSFS) Size(name string) (int64, error) {
	path, err := o.path(name)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Truncate sets the length of file name to size.
func (o OSFS) Truncate(name string, size int64) error {
	path, err := o.path(name)
	if err != nil {
		return err
	}
	return os.Truncate(path, size)
}

// Rename renames oldName to newName, replacing newName if it exists.
func (o OSFS) Rename(oldName, newName string) error {
	from, err := o.path(oldName)
	if err != nil {
		return err
	}
	to, err := o.path(newName)
	if err != nil {
		return err
	}
	return os.Rename(from, to)
}

// Remove removes file name.
func (o OSFS) Remove(name string) error {
	path, err := o.path(name)
	if err != nil {
		return err
	}
	return os.Remove(path)
}

// List returns the names of the regular files in Dir, sorted.
func (o OSFS) List() ([]string, error) {
	ents, err := os.ReadDir(o.Dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// Sync makes file name's data durable (fsync).
func (o OSFS) Sync(name string) error {
	path, err := o.path(name)
	if err != nil {
		return err
	}
	return syncPath(path)
}

// SyncDir makes creates, renames and removes in Dir durable (fsync of the directory).
func (o OSFS) SyncDir() error {
	return syncPath(o.Dir)
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
