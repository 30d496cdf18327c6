package main

// Issue 11.6 end to end, with the real binary and a lexical-only collection
// of a small corpus: matched words, file:line, colour only when asked for
// (the tests' stdout is a pipe), and `show`.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func smallCorpusIndex(t *testing.T) (data, src string) {
	t.Helper()
	dir := t.TempDir()
	src = filepath.Join(dir, "report.txt")
	text := "某市政府工作报告\n\n一、2025年工作回顾\n\n" +
		"过去一年，全市经济运行稳中有进，地区生产总值增长百分之五点二，城乡居民收入持续增加。\n\n" +
		"我们大力发展低空经济，建成通用机场两个，开通无人机物流航线十二条，带动相关企业快速集聚。\n\n" +
		"二、2026年工作任务\n\n" +
		"持续扩大有效投资，推进重大项目建设，全年完成固定资产投资增长百分之六以上。\n"
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	data = t.TempDir()
	if r := rs(t, data, deadOllama, "index", dir); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	return data, src
}

func TestSearchMatchedAndLineE2E(t *testing.T) {
	data, src := smallCorpusIndex(t)
	j := rs(t, data, deadOllama, "search", "低空经济", "--json", "-k", "1")
	out := decodeJSON[SearchOutput](t, j.stdout)
	if j.code != 0 || len(out.Results) != 1 {
		t.Fatalf("exit %d %s %s", j.code, j.stderr, j.stdout)
	}
	r := out.Results[0]
	if r.Line != 7 || r.Source != src || len(r.Matched) == 0 || r.Matched[0] != "低空经济" {
		t.Fatalf("want line 7, source %s, matched [低空经济 …]; got line %d, source %q, matched %q", src, r.Line, r.Source, r.Matched)
	}

	plain := rs(t, data, deadOllama, "search", "低空经济", "-k", "1")
	if plain.code != 0 || strings.Contains(plain.stdout, "\x1b") || !strings.Contains(plain.stdout, src+":7") {
		t.Fatalf("piped output: no colour and %s:7 expected:\n%s", src, plain.stdout)
	}
	always := rs(t, data, deadOllama, "search", "低空经济", "-k", "1", "--color", "always")
	if !strings.Contains(always.stdout, markOn+"低空经济"+colorOff) {
		t.Fatalf("--color always: want 低空经济 marked:\n%q", always.stdout)
	}
	if bad := rs(t, data, deadOllama, "search", "低空经济", "--color", "sometimes"); bad.code != exitUsage || bad.stdout != "" {
		t.Fatalf("--color sometimes: exit %d, stdout %q", bad.code, bad.stdout)
	}
}

func TestShowE2E(t *testing.T) {
	data, src := smallCorpusIndex(t)
	j := rs(t, data, deadOllama, "search", "低空经济", "--json", "-k", "1")
	id := decodeJSON[SearchOutput](t, j.stdout).Results[0].ID

	s := rs(t, data, deadOllama, "show", id, "--around", "1")
	if s.code != 0 {
		t.Fatalf("show: exit %d %s", s.code, s.stderr)
	}
	for _, want := range []string{
		"  ¶1  过去一年", "▌ ¶2  我们大力发展低空经济", "  ¶3  持续扩大有效投资",
		fmt.Sprintf("cite: 某市政府工作报告 › 一、2025年工作回顾, ¶2, %s:7 (bytes", src), "id:   " + id,
	} {
		if !strings.Contains(s.stdout, want) {
			t.Errorf("show output lacks %q:\n%s", want, s.stdout)
		}
	}
	if strings.Contains(s.stdout, "\x1b") {
		t.Errorf("colour on a pipe:\n%q", s.stdout)
	}

	js := rs(t, data, deadOllama, "show", "--json", id, "--around", "0")
	out := decodeJSON[ShowOutput](t, js.stdout)
	if js.code != 0 || len(out.Chunks) != 1 || !out.Chunks[0].Shown || out.Chunks[0].Line != 7 || out.Chunks[0].Source != src || !strings.Contains(out.Citation, src+":7") {
		t.Fatalf("show --json: exit %d %s", js.code, js.stdout)
	}

	miss := rs(t, data, deadOllama, "show", "report.txt#0.99")
	if miss.code != exitUsage || miss.stdout != "" || !strings.Contains(miss.stderr, `no chunk with ID "report.txt#0.99"`) || !strings.Contains(miss.stderr, "report.txt#0.1 to report.txt#0.3") {
		t.Fatalf("unknown ID: exit %d, stderr %s", miss.code, miss.stderr)
	}
	typo := rs(t, data, deadOllama, "show", "reprt.txt#0.1")
	if typo.code != exitUsage || !strings.Contains(typo.stderr, "did you mean report.txt") {
		t.Fatalf("misspelt file: exit %d, stderr %s", typo.code, typo.stderr)
	}
	if none := rs(t, data, deadOllama, "show"); none.code != exitUsage {
		t.Fatalf("show without an ID: exit %d", none.code)
	}
}

// Issue 12.4: a search that finds nothing says why on stderr (and in the
// JSON notice) and exits 4, for search and context, text and JSON alike.
func TestNoResultsExitCodeE2E(t *testing.T) {
	data, _ := smallCorpusIndex(t)
	for _, args := range [][]string{
		{"search", "！？。"},
		{"search", "！？。", "--json"},
		{"context", "！？。"},
		{"context", "！？。", "--json"},
	} {
		r := rs(t, data, deadOllama, args...)
		if r.code != exitNoResults {
			t.Errorf("%q: exit %d, want %d:\n%s", args, r.code, exitNoResults, r.stderr)
		}
		if len(args) == 3 {
			if !strings.Contains(r.stdout, "no results: no chunk shares a word") {
				t.Errorf("%q: the JSON notice does not say why:\n%s", args, r.stdout)
			}
		} else if !strings.Contains(r.stderr, "no results: no chunk shares a word") {
			t.Errorf("%q: stderr does not say why:\n%s", args, r.stderr)
		}
	}
	// A search that finds something still exits 0.
	if r := rs(t, data, deadOllama, "search", "低空经济"); r.code != 0 {
		t.Errorf("a search with results: exit %d", r.code)
	}
}
