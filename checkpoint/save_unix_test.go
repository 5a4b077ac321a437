//go:build unix

package checkpoint

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func saveOK(t *testing.T, path string, f *File) {
	t.Helper()
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

var small = &File{Tensors: []Tensor{{Name: "x", Shape: []int{1}, Data: []float32{9}}}}

// TestSaveUnopenableDir: a directory that can be written but not opened
// fails the save before the rename, so the old file stays.
func TestSaveUnopenableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root opens a mode 0300 directory: run as another user (checkpoint/testdata/nonroot.sh)")
	}
	dir := filepath.Join(t.TempDir(), "d")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "c.safetensors")
	saveOK(t, path, sample())
	old, _ := os.ReadFile(path)
	os.Chmod(dir, 0o300)
	defer os.Chmod(dir, 0o755)
	if err := Save(path, small); err == nil {
		t.Error("save into an unreadable directory: no error")
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
		t.Error("the failed save replaced the file")
	}
	os.Chmod(dir, 0o755)
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("directory holds %v", n)
	}
}

// TestSaveDirSyncFails: a directory that refuses fsync fails the save
// before the rename; a failure after the rename is ErrDirSync.
func TestSaveDirSyncFails(t *testing.T) {
	defer func(f func(*os.File) error) { syncDir = f }(syncDir)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.safetensors")
	saveOK(t, path, sample())
	old, _ := os.ReadFile(path)
	refused := errors.New("fsync refused")
	calls := 0
	syncDir = func(*os.File) error { calls++; return refused }
	err := Save(path, small)
	if !errors.Is(err, refused) || errors.Is(err, ErrDirSync) {
		t.Errorf("fsync refused: %v", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, old) || len(names(t, dir)) != 1 {
		t.Errorf("a save that failed before the rename changed the directory: %v", names(t, dir))
	}
	calls = 0
	syncDir = func(d *os.File) error {
		if calls++; calls == 2 {
			return refused
		}
		return d.Sync()
	}
	err = Save(path, small)
	if !errors.Is(err, ErrDirSync) || !errors.Is(err, refused) || !strings.Contains(err.Error(), "in place") {
		t.Errorf("fsync refused after the rename: %v, want ErrDirSync", err)
	}
	if g, err := Load(path); err != nil || g.Tensors[0].Name != "x" || len(names(t, dir)) != 1 {
		t.Errorf("after ErrDirSync: %v, %v, %v", g, err, names(t, dir))
	}
}

// TestSaveLongName: any name the file system accepts can be saved.
func TestSaveLongName(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{200, 240, 255} {
		path := filepath.Join(dir, strings.Repeat("é", n/2)+strings.Repeat("a", n%2))
		saveOK(t, path, small)
		saveOK(t, path, sample())
		if _, err := Load(path); err != nil {
			t.Error(err)
		}
	}
	if p := tmpPrefix(strings.Repeat("é", 127)); len(p)+10 > 64 || !utf8Valid(p) {
		t.Errorf("temporary prefix %q", p)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// TestSaveSymlink: Save writes through a link to the file it names.
func TestSaveSymlink(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	target := filepath.Join(dir, "real", "c.safetensors")
	saveOK(t, target, sample())
	link1 := filepath.Join(dir, "link1")
	link2 := filepath.Join(dir, "link2")
	os.Symlink("real/c.safetensors", link1) // relative
	os.Symlink(link1, link2)                // absolute, to a link
	saveOK(t, link2, small)
	for _, l := range []string{link1, link2} {
		if st, err := os.Lstat(l); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link", l)
		}
	}
	if g, err := Load(target); err != nil || g.Tensors[0].Name != "x" {
		t.Errorf("target: %v, %v", g, err)
	}
	if n := names(t, filepath.Join(dir, "real")); len(n) != 1 {
		t.Errorf("target directory holds %v", n)
	}
	// A dangling link gets its target created.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("real/new.safetensors", dangling)
	saveOK(t, dangling, small)
	if _, err := Load(filepath.Join(dir, "real", "new.safetensors")); err != nil {
		t.Error(err)
	}
	if st, _ := os.Lstat(dangling); st.Mode()&fs.ModeSymlink == 0 {
		t.Error("dangling link replaced")
	}
}

// TestSaveModes: an existing file keeps its mode, a read-only one is
// refused, a new one gets 0666 minus the umask.
func TestSaveModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new")
	saveOK(t, fresh, small)
	if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o640 {
		t.Errorf("new file: mode %v, want 0640 (0666 minus umask 027)", st.Mode().Perm())
	}
	for _, mode := range []fs.FileMode{0o600, 0o664, 0o200} {
		path := filepath.Join(dir, mode.String())
		os.WriteFile(path, nil, 0o600)
		os.Chmod(path, mode)
		saveOK(t, path, small)
		if st, _ := os.Stat(path); st.Mode().Perm() != mode {
			t.Errorf("existing %v file: mode %v after save", mode, st.Mode().Perm())
		}
	}
	ro := filepath.Join(dir, "ro")
	saveOK(t, ro, sample())
	os.Chmod(ro, 0o444)
	before, _ := os.ReadFile(ro)
	if err := Save(ro, small); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("read-only file: %v, want an error wrapping fs.ErrPermission", err)
	}
	if now, _ := os.ReadFile(ro); !bytes.Equal(now, before) {
		t.Error("read-only file replaced")
	}
}

// TestSaveRemovesStaleTemps: the next Save of a destination removes the
// temporary files a crashed Save left, and nothing else.
func TestSaveRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.safetensors")
	prefix := tmpPrefix("c.safetensors")
	long := processStart.Add(-time.Hour)
	mk := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mtime, mtime)
		return p
	}
	stale := mk(prefix+"123", long)
	fresh := mk(prefix+"456", time.Now().Add(time.Hour)) // written since this process started
	other := mk(tmpPrefix("d.safetensors")+"789", long)  // another destination's
	notOurs := mk(prefix+"12x", long)                    // not a name Save makes
	busy := mk(prefix+"999", long)                       // a live writer holds it
	h, err := os.OpenFile(busy, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if !tryLockFile(h) {
		t.Skip("no file locks here")
	}
	saveOK(t, path, small)
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Error("stale temporary file kept")
	}
	for _, p := range []string{fresh, other, notOurs, busy} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed", filepath.Base(p))
		}
	}
}
