package main

// End-to-end tests of how the command line finds, names and opens stored
// collections: names that would leave the data dir, snapshots that are not
// regular files, and a server that must follow the folder it opened. They
// run lexical only (no Ollama needed).

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/store"
)

// deadHost is a port nothing answers on: every run here is lexical only.
const deadHost = "127.0.0.1:9"

// reportFile writes a small report whose file name is its report key.
func reportFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("%s政府工作报告\n\n一、%s\n\n%s坚持稳中求进工作总基调，推动高质量发展，扎实推进%s各项工作。\n", name, text, text, text)
	p := filepath.Join(dir, name+".txt")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// `--collection ../../victim index DIR` used to write victim/snapshot.rsdb
// outside the data dir, truncate an existing victim/lock and delete its
// temporaries. Every command must refuse such a name as a usage error
// (exit 2) before touching anything.
func TestCollectionNameCannotLeaveTheDataDir(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "home", "data")
	victim := filepath.Join(root, "victim")
	if err := os.MkdirAll(victim, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"lock": "someone else's lock\n", ".snapshot-42.tmp": "someone else's temporary"}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(victim, n), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := reportFile(t, filepath.Join(root, "src"), "甲市", "城市更新")
	for _, name := range []string{"../../victim", "..", "grp/x", "a\nb", ".hidden", "-x"} {
		for _, args := range [][]string{
			{"--collection", name, "index", src},
			{"--collection", name, "index", "--rebuild", src},
			{"--collection", name, "search", "城市更新"},
			{"--collection", name, "status"},
			{"--collection", name, "serve", "--addr", "127.0.0.1:0"},
		} {
			// Bounded: a serve that accepted the name would never end.
			p := startRS(t, data, deadHost, args...)
			p.wait(t, time.Minute)
			if p.code != 2 || !strings.Contains(p.errb.String(), "invalid collection name") {
				t.Errorf("%q: want exit 2 naming the invalid collection name, got exit %d: %s", args, p.code, p.errb.String())
			}
		}
	}
	entries, _ := os.ReadDir(victim)
	if len(entries) != len(files) {
		t.Errorf("the victim folder changed: %v", entries)
	}
	for n, b := range files {
		if got, err := os.ReadFile(filepath.Join(victim, n)); err != nil || string(got) != b {
			t.Errorf("victim/%s changed: %q, %v", n, got, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "home")); !os.IsNotExist(err) {
		t.Errorf("a refused name still created folders: %v", err)
	}
	// A valid name, Chinese included, works and stays inside.
	if r := rs(t, data, deadHost, "--collection", "备份.2024", "index", src); r.code != 0 {
		t.Fatalf("valid name: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "备份.2024", store.SnapshotName)); err != nil {
		t.Errorf("valid name not stored in the data dir: %v", err)
	}
	// A folder left by an older version under a name that is no longer
	// valid is listed, quoted (a newline would break the table), and
	// counted as a problem.
	b, err := os.ReadFile(filepath.Join(data, "备份.2024", store.SnapshotName))
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, os.Mkdir(filepath.Join(data, "a\nb"), 0o755))
	mustDo(t, os.WriteFile(filepath.Join(data, "a\nb", store.SnapshotName), b, 0o644))
	st := rs(t, data, deadHost, "status")
	lines := strings.Split(strings.TrimSpace(st.stdout), "\n")
	if st.code != 1 || len(lines) != 3 || !strings.Contains(st.stdout, `"a\nb"`) || !strings.Contains(st.stdout, "invalid collection name") {
		t.Errorf("status with a folder named a\\nb: want exit 1 and a quoted row, got exit %d:\n%s", st.code, st.stdout)
	}
}

// A snapshot that is a directory, a link (to /dev/zero, a FIFO, nowhere)
// or a FIFO: status names it and exits 1 (it used to hang on a FIFO, read
// /dev/zero until memory ran out, or call a dangling link "nothing indexed
// yet"); search and index name it; index --rebuild moves it aside, says so
// and rebuilds.
func TestSnapshotNotARegularFileE2E(t *testing.T) {
	src := reportFile(t, t.TempDir(), "乙省", "乡村振兴")
	cases := []struct {
		name string
		make func(t *testing.T, path string)
		says string
	}{
		{"directory", func(t *testing.T, p string) { mustDo(t, os.Mkdir(p, 0o755)) }, "it is a directory"},
		{"link to /dev/zero", func(t *testing.T, p string) { mustDo(t, os.Symlink("/dev/zero", p)) }, "symbolic link to /dev/zero"},
		{"link to a FIFO", func(t *testing.T, p string) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			mustDo(t, syscall.Mkfifo(fifo, 0o644))
			mustDo(t, os.Symlink(fifo, p))
		}, "symbolic link to"},
		{"FIFO", func(t *testing.T, p string) { mustDo(t, syscall.Mkfifo(p, 0o644)) }, "named pipe"},
		{"dangling link", func(t *testing.T, p string) { mustDo(t, os.Symlink("/nonexistent/snapshot", p)) }, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			if r := rs(t, data, deadHost, "--collection", "c", "index", src); r.code != 0 {
				t.Fatal(r.stderr)
			}
			path := filepath.Join(data, "c", store.SnapshotName)
			mustDo(t, os.Remove(path))
			tc.make(t, path)
			// Bounded waits: before the fix a FIFO made these hang.
			run := func(args ...string) *proc {
				p := startRS(t, data, deadHost, args...)
				p.wait(t, time.Minute)
				return p
			}
			st := run("status", "--json")
			out := decodeJSON[StatusOutput](t, st.out.String())
			if st.code != 1 || len(out.Collections) != 1 || !strings.Contains(out.Collections[0].Error, path) ||
				!strings.Contains(out.Collections[0].Error, tc.says) || !strings.Contains(st.errb.String(), "--rebuild") {
				t.Errorf("status: want exit 1 listing %s as %q, got exit %d %+v\n%s", path, tc.says, st.code, out.Collections, st.errb.String())
			}
			for _, args := range [][]string{{"search", "乡村振兴"}, {"--collection", "c", "search", "乡村振兴"}, {"--collection", "c", "index", src}} {
				r := run(args...)
				if r.code == 0 || !strings.Contains(r.errb.String(), tc.says) || !strings.Contains(r.errb.String(), "--rebuild") {
					t.Errorf("%q: want an error saying %q and naming --rebuild, got exit %d: %s", args, tc.says, r.code, r.errb.String())
				}
			}
			rb := run("--collection", "c", "index", "--rebuild", src)
			if rb.code != 0 || !strings.Contains(rb.errb.String(), "moved aside to "+path+".damaged-") {
				t.Fatalf("rebuild: exit %d: %s", rb.code, rb.errb.String())
			}
			aside, _ := filepath.Glob(path + ".damaged-*")
			if len(aside) != 1 {
				t.Fatalf("want the damaged entry kept aside, found %v", aside)
			}
			if st := run("status"); st.code != 0 {
				t.Errorf("status after rebuild: exit %d: %s", st.code, st.errb.String())
			}
			if s := run("--collection", "c", "search", "--json", "乡村振兴"); s.code != 0 || len(decodeJSON[SearchOutput](t, s.out.String()).Results) == 0 {
				t.Errorf("search after rebuild: exit %d: %s", s.code, s.errb.String())
			}
		})
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// `serve --collection backup` of a copied folder used to pin the
// manifest's name ("orig"), so it watched and reloaded orig: it served
// orig's new data when orig was re-indexed and never the copy's. The server
// must follow the folder it opened and report that folder's name.
func TestServeFollowsTheFolderItOpened(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	a := reportFile(t, filepath.Join(root, "a"), "甲市", "城市更新")
	b := reportFile(t, filepath.Join(root, "b"), "乙市", "海洋经济")
	c := reportFile(t, filepath.Join(root, "c"), "丙市", "乡村振兴")
	if r := rs(t, data, deadHost, "--collection", "orig", "index", a); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(data, "orig"), filepath.Join(data, "backup")).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v %s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv := startRS(t, data, deadHost, "--collection", "backup", "serve", "--addr", addr)
	type reports struct {
		Collection string `json:"collection"`
		Reports    []struct {
			File string `json:"file"`
		} `json:"reports"`
	}
	get := func() (reports, bool) {
		var r reports
		resp, err := http.Get("http://" + addr + "/reports")
		if err != nil {
			return r, false
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatalf("/reports: %v", err)
		}
		return r, true
	}
	files := func(r reports) []string {
		var f []string
		for _, x := range r.Reports {
			f = append(f, x.File)
		}
		slices.Sort(f)
		return f
	}
	var first reports
	for i := 0; ; i++ { // until the server answers, bounded
		var ok bool
		if first, ok = get(); ok {
			break
		}
		if i == 600 || !srv.running() {
			t.Fatalf("serve did not answer: exit %d", srv.code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if first.Collection != "backup" || !slices.Equal(files(first), []string{"甲市.txt"}) {
		t.Fatalf("serving the copy: %+v", first)
	}
	// The original changes first, then the copy. A server following the
	// original would show 乙市 and never 丙市.
	if r := rs(t, data, deadHost, "--collection", "orig", "index", b); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rs(t, data, deadHost, "--collection", "backup", "index", c); r.code != 0 {
		t.Fatal(r.stderr)
	}
	want := []string{"丙市.txt", "甲市.txt"}
	for i := 0; ; i++ { // the server polls once a second; bounded
		got, ok := get()
		if !ok {
			t.Fatal("serve stopped answering")
		}
		if slices.Contains(files(got), "乙市.txt") || got.Collection != "backup" {
			t.Fatalf("the server of the copy shows the original's data: %+v", got)
		}
		if slices.Equal(files(got), want) {
			break
		}
		if i == 600 {
			t.Fatalf("the server never reloaded the copy it opened: %+v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
