package wal

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
