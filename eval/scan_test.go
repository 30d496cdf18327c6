package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlongLineNamesFileAndLine: a line over the limit is reported with
// file:line and the limit, not as bufio's "token too long".
func TestOverlongLineNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	good := `{"id":"q1","query":"问题","answers":[{"quote":"稳步扩大内需推进城市更新"}]}`
	long := `{"id":"q2","query":"` + strings.Repeat("长", MaxQuestionLine/3+1) + `"}`
	qfile := filepath.Join(dir, "q.jsonl")
	if err := os.WriteFile(qfile, []byte(good+"\n\n"+long+"\n"+good+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadQuestions(qfile)
	if err == nil || !strings.Contains(err.Error(), qfile+":3: line is longer than 16 MiB") {
		t.Errorf("question set: %v", err)
	}
	if _, err := CheckFile(qfile, nil); err == nil || !strings.Contains(err.Error(), qfile+":3:") {
		t.Errorf("eval check: %v", err)
	}

	run := filepath.Join(dir, "run.txt")
	os.WriteFile(run, []byte("q1 Q0 d1 1 0.5 x\nq1 Q0 "+strings.Repeat("d", MaxTRECLine)+" 2 0.4 x\n"), 0o644)
	if _, err := LoadRun(run); err == nil || !strings.Contains(err.Error(), run+":2: line is longer than 1 MiB") {
		t.Errorf("run file: %v", err)
	}

	corpus := filepath.Join(dir, "corpus.jsonl")
	os.WriteFile(corpus, []byte(`{"_id":"d1","text":"x"}`+"\n"+strings.Repeat("x", MaxDatasetLine+1)), 0o644)
	err = readJSONL(corpus, func(string, int, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), corpus+":2: line is longer than 64 MiB") {
		t.Errorf("dataset: %v", err)
	}
}
