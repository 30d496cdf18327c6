package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testCorpus = Corpus{
	"a.txt": "一、2026年工作任务\n坚持就业优先战略，城镇新增\n就业1200万人以上。稳步推进城市更新。",
	"b.txt": "稳步推进城市更新，加快老旧小区改造。因地制宜发展新质生产力。稳步推进城市更新。",
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "set.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckFile(t *testing.T) {
	lines := []string{
		/* 1 */ `{"id":"ok","query":"就业目标","lang":"zh","kind":"fact","answers":[{"file":"a.txt","quote":"城镇新增就业1200万人以上"}]}`,
		/* 2 */ `{"id":"bad-json","query":"x",`,
		/* 3 */ `{"id":"ok","query":"重复","answers":[{"file":"b.txt","quote":"加快老旧小区改造而且"}]}`,
		/* 4 */ `{"id":"q4","query":"  ","answers":[]}`,
		/* 5 */ `{"id":"q5","query":"x","answers":[{"file":"b.txt","quote":"稳步推进城市更新"}]}`,
		/* 6 */ `{"id":"q6","query":"x","answers":[{"file":"a.txt","quote":"因地制宜发展新质生产力"}]}`,
		/* 7 */ `{"id":"q7","query":"x","answers":[{"file":"c.txt","quote":"因地制宜发展新质生产力"}]}`,
		/* 8 */ `{"id":"q8","query":"x","answers":[{"quote":"根本不存在的一句话啊"}]}`,
		/* 9 */ `{"id":"q9","query":"x","answers":[{"quote":"稳步推进城市更新"}]}`,
		/* 10 */ `{"id":"q10","query":"x","answers":[{"quote":"因地制宜发展新质生产力","grade":"2"}]}`,
		/* 11 */ `{"id":"q11","query":"x","anwsers":[]}`,
		/* 12 */ "",
		/* 13 */ `{"id":"q13","query":"x","answers":[{"quote":"因地制宜发展新质生产力","grade":0},{"quote":"因地制宜 发展新质生产力"}]}`,
		/* 14 */ `{"id":"q14","query":"x","answers":[{"file":"a.txt","quote":"坚持 就业优先战略，城镇新增 就业"}]}`,
	}
	issues, err := CheckFile(writeFile(t, strings.Join(lines, "\n")+"\n"), testCorpus)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, is := range issues {
		s := is.String()
		got = append(got, s[strings.Index(s, ".jsonl:")+len(".jsonl"):])
	}
	want := []string{
		":2: error: truncated JSON",
		`:3: error: question "ok": id: duplicate of line 1`,
		`:3: error: question "ok": answers[0].quote: not found in b.txt`,
		`:4: error: question "q4": query: missing or empty`,
		`:4: error: question "q4": answers: no answers (and no qrels)`,
		`:5: warning: question "q5": answers[0].quote: 8 runes, outside 10–40`,
		`:5: error: question "q5": answers[0].quote: found 2 times in b.txt; lengthen it so it points at one place`,
		`:6: error: question "q6": answers[0].quote: not found in a.txt (found in b.txt)`,
		`:7: error: question "q7": answers[0].file: "c.txt" is not in the corpus`,
		`:8: error: question "q8": answers[0].quote: not found in any corpus file`,
		`:9: warning: question "q9": answers[0].quote: 8 runes, outside 10–40`,
		`:9: warning: question "q9": answers[0].quote: found 3 times (in a.txt, b.txt); name the file or lengthen the quote`,
		`:10: error: answers.grade: is a JSON string, want int`,
		`:11: error: anwsers: unknown field`,
		`:13: error: question "q13": answers[0].grade: is 0; grades start at 1 (leave a non-relevant text out instead)`,
		`:13: error: question "q13": answers[1].quote: repeats answers[0]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("issues:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !HasErrors(issues) {
		t.Error("HasErrors = false")
	}
}

func TestLoadQuestions(t *testing.T) {
	good := `{"id":"a","query":"q","answers":[{"file":"a.txt","quote":"城镇新增就业1200万人以上","grade":2}]}` + "\n" +
		`// a comment line` + "\n\n" +
		`{"id":"b","query":"q","qrels":{"p1":1}}`
	qs, err := LoadQuestions(writeFile(t, good))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].Answers[0].GradeOrDefault() != 2 || qs[1].Line != 4 || qs[1].Qrels["p1"] != 1 {
		t.Errorf("loaded %+v", qs)
	}
	// Warnings do not stop loading; errors do, each named by line and field.
	bad := `{"id":"a","query":"q","answers":[{"quote":"短"}]}` + "\n" + `{"id":"a","query":"","answers":[{"quote":"短"}]}`
	_, err = LoadQuestions(writeFile(t, bad))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{`set.jsonl:2: error: question "a": id: duplicate of line 1`, `set.jsonl:2: error: question "a": query: missing or empty`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "runes") {
		t.Errorf("warnings in the error: %q", msg)
	}
}

func TestLoadCorpus(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("甲"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("about"), 0o644)
	os.WriteFile(filepath.Join(dir, "x.pdf"), []byte("%PDF"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.md"), []byte("乙"), 0o644)
	c, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 2 || c["a.txt"] != "甲" || c["b.md"] != "乙" {
		t.Errorf("corpus %v", c)
	}
	os.WriteFile(filepath.Join(dir, "sub", "a.txt"), []byte("丙"), 0o644)
	if _, err := LoadCorpus(dir); err == nil || !strings.Contains(err.Error(), "share the base name") {
		t.Errorf("duplicate base name: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "sub", "a.txt"), []byte{0xff, 0xfe}, 0o644)
	if _, err := LoadCorpus(dir); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("bad UTF-8: %v", err)
	}
}
