package checkpoint

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrDirSync is wrapped by the error [Save] returns when the new file has
// been renamed into place but syncing its directory failed: the path holds
// the new content, but a crash may bring the old one back. Every other
// error of Save means the destination was not touched.
var ErrDirSync = errors.New("checkpoint: the new file is in place, but syncing its directory failed")

// syncDir syncs a directory; tests replace it to make it fail.
var syncDir = (*os.File).Sync

// processStart is when this package was initialized: a temporary file
// last written before it cannot belong to a Save of this process.
var processStart = time.Now()

// Temporary files are named ".<up to 32 bytes of the name>.<hash>.ckpt-tmp-<random>":
// at most 1+32+1+8+10+10 = 62 bytes whatever the destination's name, and
// the hash of the whole name tells apart destinations whose names share
// their first 32 bytes.
const tmpMarker = ".ckpt-tmp-"

// tmpPrefix returns the prefix of the temporary files of a destination
// whose base name is base.
func tmpPrefix(base string) string {
	short := base
	if len(short) > 32 {
		short = short[:32]
		for len(short) > 0 && !utf8.ValidString(short) {
			short = short[:len(short)-1]
		}
	}
	h := fnv.New32a()
	h.Write([]byte(base))
	return "." + short + "." + fmt.Sprintf("%08x", h.Sum32()) + tmpMarker
}

// resolve follows the symbolic links at path, if any, to the file they
// name (which need not exist yet).
func resolve(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			// Not filepath.Join: its lexical cleaning of ".." would be
			// wrong if the directory is itself reached through a link.
			link = filepath.Dir(path) + string(filepath.Separator) + link
		}
		path = link
	}
	return "", &fs.PathError{Op: "save", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// Save writes f to the file at path atomically: into a temporary file in
// the same directory, synced to disk, then renamed over the destination,
// and the directory synced. After a crash the destination holds either its
// old content or the new one. Save checks f as [Encode] does first.
//
// Everything that can fail is tried before the rename (opening the
// directory, writing, syncing the file and the directory): any error but
// one leaves an existing destination untouched and no temporary file
// behind. The exception is a failure to sync the directory after the
// rename, reported with an error wrapping [ErrDirSync].
//
// If path is a symbolic link, Save writes through it: the file the link
// names is replaced and the link stays, as a program that writes to a
// configuration or checkpoint path that is a link expects (a dangling link
// gets its target created). An existing destination keeps its permission
// bits; one without any write permission bit is refused with an error
// wrapping [fs.ErrPermission], whoever runs Save, since a read-only file
// says it is not to be replaced. A new file gets mode 0666 minus the umask,
// as [os.Create] gives. The new file belongs to the user running Save
// (the rename puts a new file in place).
//
// The temporary file is named ".<name>.<hash>.ckpt-tmp-<random>" (the name
// cut to 32 bytes, so that any name the file system accepts can be
// saved). A crash mid-save can leave one behind; the next Save of the same
// destination removes those last modified before the saving process
// started and no longer locked by a live writer (Save holds an advisory
// lock on its temporary file while writing it, where the system has
// flock). They can also be removed by hand when no Save is running.
func Save(path string, f *File) (err error) {
	order, hdr, err := f.prepare()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("checkpoint: save %s: %w", path, err)
		}
	}()
	target, err := resolve(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	perm, keep := fs.FileMode(0o666), false
	switch st, err := os.Stat(target); {
	case err == nil && !st.Mode().IsRegular():
		return fmt.Errorf("%w: %s is a %v", ErrNotRegular, target, st.Mode().Type())
	case err == nil && st.Mode().Perm()&0o222 == 0:
		return &fs.PathError{Op: "save", Path: target, Err: fmt.Errorf("read-only file (mode %v): %w", st.Mode().Perm(), fs.ErrPermission)}
	case err == nil:
		perm, keep = st.Mode().Perm(), true
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	prefix := tmpPrefix(base)
	removeStale(d, dir, prefix)

	tmp, err := createTemp(dir, prefix, perm)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = writeFile(tmp, f, order, hdr); err != nil {
		return err
	}
	if keep {
		// Exactly the old mode, whatever the umask.
		if err = tmp.Chmod(perm); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	// A directory that refuses to sync refuses it before the rename too.
	if err = syncDir(d); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	renamed = true
	if err = syncDir(d); err != nil {
		return fmt.Errorf("%w: %w", ErrDirSync, err)
	}
	return nil
}

// createTemp creates a new temporary file named prefix+<random> in dir,
// with perm minus the umask, and locks it.
func createTemp(dir, prefix string, perm fs.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		lockFile(f)
		return f, nil
	}
}

// removeStale removes the temporary files of earlier Saves to the same
// destination that crashed: those named with prefix, last modified before
// this process started, and not locked by a writer. It is best effort.
func removeStale(d *os.File, dir, prefix string) {
	names, err := d.Readdirnames(-1)
	if err != nil {
		return
	}
	for _, name := range names {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
			continue
		}
		p := filepath.Join(dir, name)
		st, err := os.Lstat(p)
		if err != nil || !st.Mode().IsRegular() || !st.ModTime().Before(processStart) {
			continue
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if tryLockFile(f) {
			os.Remove(p)
		}
		f.Close()
	}
}
