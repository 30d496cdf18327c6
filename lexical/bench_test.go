package lexical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

// Real data lives outside the repository (see testenv.Shared); benchmarks
// skip without it.
func corpusDir(b *testing.B) string { return filepath.Join(testenv.Shared(b), "corpus") }

func cmrcDev(b *testing.B) string {
	return filepath.Join(testenv.Shared(b), "bench", "cmrc2018", "cmrc2018_dev.json")
}

type doc struct{ id, text string }

// corpusParagraphs splits every corpus file on blank lines: close enough to
// the chunker's output for timing.
func corpusParagraphs(b *testing.B) []doc {
	dir := corpusDir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		b.Skipf("no corpus in %s", dir)
	}
	var docs []doc
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for i, p := range strings.Split(string(data), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				docs = append(docs, doc{fmt.Sprintf("%s#%d", filepath.Base(f), i), p})
			}
		}
	}
	return docs
}

var benchQueries = []string{
	"新质生产力", "城市更新和老旧小区改造", "国内生产总值增长目标", "粮食产量", "稳就业 城镇新增就业",
	"扩大内需 提振消费", "生态环境保护 碳达峰碳中和", "县域经济高质量发展", "营商环境", "养老服务体系建设",
	"2026年经济社会发展主要预期目标", "科技创新和产业创新深度融合",
}

func tokenizers(b *testing.B) []Tokenizer {
	if err := LoadGSE(); err != nil {
		b.Fatal(err)
	}
	return []Tokenizer{Bigram(), BigramUnigram(), GSE(), GSEBigram()}
}

func buildAll(tok Tokenizer, docs []doc) *Index {
	ix := New(tok, Params{})
	for _, d := range docs {
		ix.Add(d.id, d.text)
	}
	return ix
}

// BenchmarkBuild: time to index the corpus paragraphs, the index's heap
// size and its encoded size.
func BenchmarkBuild(b *testing.B) {
	docs := corpusParagraphs(b)
	for _, tok := range tokenizers(b) {
		b.Run(tok.Name(), func(b *testing.B) {
			var ix *Index
			for b.Loop() {
				ix = buildAll(tok, docs)
			}
			var before, after runtime.MemStats
			ix = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			ix = buildAll(tok, docs)
			runtime.GC()
			runtime.ReadMemStats(&after)
			var enc bytes.Buffer
			if err := ix.Encode(&enc); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(docs)), "docs")
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
			b.ReportMetric(float64(enc.Len())/(1<<20), "encoded-MB")
			b.ReportMetric(float64(len(ix.termIDs)), "terms")
		})
	}
}

// BenchmarkSearch: one op is one top-10 query over the corpus paragraphs.
func BenchmarkSearch(b *testing.B) {
	docs := corpusParagraphs(b)
	for _, tok := range tokenizers(b) {
		b.Run(tok.Name(), func(b *testing.B) {
			ix := buildAll(tok, docs)
			i := 0
			for b.Loop() {
				ix.Search(benchQueries[i%len(benchQueries)], 10, nil)
				i++
			}
		})
	}
}

// BenchmarkDecode: loading a persisted index of the corpus paragraphs.
func BenchmarkDecode(b *testing.B) {
	var enc bytes.Buffer
	if err := buildAll(Bigram(), corpusParagraphs(b)).Encode(&enc); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(enc.Bytes()), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCMRC measures retrieval quality, not speed: every CMRC 2018 dev
// context is a document, every question a query whose one relevant document
// is the context it was asked on. Run with -benchtime 1x; it reports
// Recall@5 and MRR@10 per tokenizer (and logs them as a table).
func BenchmarkCMRC(b *testing.B) {
	dev := cmrcDev(b)
	data, err := os.ReadFile(dev)
	if err != nil {
		b.Skip(err)
	}
	var squad struct {
		Data []struct {
			Paragraphs []struct {
				Context string `json:"context"`
				QAs     []struct {
					Question string `json:"question"`
				} `json:"qas"`
			} `json:"paragraphs"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &squad); err != nil {
		b.Fatalf("%s: %v", dev, err)
	}
	var docs []doc
	var questions, relevant []string
	for i, a := range squad.Data {
		for j, p := range a.Paragraphs {
			id := fmt.Sprintf("p%d.%d", i, j)
			docs = append(docs, doc{id, p.Context})
			for _, q := range p.QAs {
				questions = append(questions, q.Question)
				relevant = append(relevant, id)
			}
		}
	}
	table := fmt.Sprintf("CMRC 2018 dev: %d passages, %d questions\n%-16s %9s %7s\n", len(docs), len(questions), "tokenizer", "Recall@5", "MRR@10")
	for _, tok := range tokenizers(b) {
		b.Run(tok.Name(), func(b *testing.B) {
			var recall, mrr float64
			for b.Loop() {
				ix := buildAll(tok, docs)
				recall, mrr = 0, 0
				for qi, q := range questions {
					for rank, h := range ix.Search(q, 10, nil) {
						if h.ID == relevant[qi] {
							if rank < 5 {
								recall++
							}
							mrr += 1 / float64(rank+1)
							break
						}
					}
				}
				recall /= float64(len(questions))
				mrr /= float64(len(questions))
			}
			b.ReportMetric(recall, "recall@5")
			b.ReportMetric(mrr, "mrr@10")
			table += fmt.Sprintf("%-16s %9.4f %7.4f\n", tok.Name(), recall, mrr)
		})
	}
	b.Log("\n" + table)
}
