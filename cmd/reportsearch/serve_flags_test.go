package main

// Flags of search/context/serve that must be refused before anything runs,
// and serve's Host allow-list, through the real binary.

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

// NaN passes "< 0 || > 1" and made every fused score NaN; each of these is
// a usage error (exit 2) naming its flag.
func TestFusionFlagsRefused(t *testing.T) {
	data := t.TempDir()
	dead := "127.0.0.1:9"
	for _, c := range []struct {
		flag  string
		value string
	}{
		{"--dense-weight", "NaN"}, {"--dense-weight", "nan"}, {"--dense-weight", "Inf"}, {"--dense-weight", "-Inf"},
		{"--dense-weight", "1.5"}, {"--dense-weight", "-0.5"}, {"--dense-weight", "-1"},
		{"--rrf-k", "NaN"}, {"--rrf-k", "+Inf"}, {"--rrf-k", "-3"}, {"--depth", "-1"},
	} {
		for _, cmd := range [][]string{{"search", c.flag, c.value, "稳增长"}, {"context", c.flag, c.value, "稳增长"},
			{"serve", "--addr", "127.0.0.1:0", c.flag, c.value}} {
			r := rs(t, data, dead, cmd...)
			if r.code != 2 || !strings.Contains(r.stderr, c.flag) {
				t.Errorf("%s: exit %d, want 2 and an error naming %s: %s", strings.Join(cmd, " "), r.code, c.flag, r.stderr)
			}
		}
	}
}

// A question of only control characters or white space is no question.
func TestBlankQuestionIsUsageError(t *testing.T) {
	data := t.TempDir()
	for _, q := range []string{"\x01\x01", "\u3000", "\x7f \u0085", "\t"} {
		for _, cmd := range []string{"search", "context"} {
			if r := rs(t, data, "127.0.0.1:9", cmd, q); r.code != 2 || !strings.Contains(r.stderr, "needs a question") {
				t.Errorf("%s %q: exit %d, want 2 and a usage error: %s", cmd, q, r.code, r.stderr)
			}
		}
	}
}

func TestServeAllowedHost(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	data := t.TempDir()
	dead := "127.0.0.1:9"
	if r := rs(t, data, dead, "index", filepath.Join(corpus, "003_fc0e754ba3f6118e.txt")); r.code != 0 {
		t.Fatalf("index: exit %d %s", r.code, r.stderr)
	}
	cmd := exec.Command(binary(t), "serve", "--addr", "127.0.0.1:0", "--allowed-host", "reports.test", "--allowed-host", "pinned.test:9")
	cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+data, "OLLAMA_HOST="+dead, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var rest strings.Builder
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Error("serve did not stop within a minute of SIGINT")
		}
	}
	t.Cleanup(stop)
	// The first line names the address; the rest is collected.
	lines := bufio.NewReader(stderr)
	first, err := lines.ReadString('\n')
	go func() {
		io.Copy(&rest, lines)
		exited <- cmd.Wait()
	}()
	m := regexp.MustCompile(`on http://(127\.0\.0\.1:(\d+))`).FindStringSubmatch(first)
	if err != nil || m == nil {
		t.Fatalf("serve's first line does not name its address (%v): %q", err, first)
	}
	addr, port := m[1], m[2]
	hc := &http.Client{Timeout: time.Minute}
	for host, want := range map[string]int{
		addr: 200, "localhost:" + port: 200, "reports.test": 200, "reports.test:" + port: 200, "pinned.test:9": 200,
		"attacker.example:" + port: 421, "pinned.test:" + port: 421, "localhost:1": 421,
	} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
		req.Host = host
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	// On loopback there is nothing to warn about.
	stop()
	if all := first + rest.String(); strings.Contains(all, "warning") {
		t.Errorf("serve on 127.0.0.1 warns: %s", all)
	}
}
