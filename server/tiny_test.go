package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
	"github.com/reportsearch/reportsearch/store"
)

// The tiny collection: three small reports the test writes itself, indexed
// lexical-only. Tests of request handling (validation, limits, Host and
// Content-Type rules, shutdown) use it, so `go test ./server/` runs them
// without ../shared and without Ollama. It has more than server.MaxK chunks
// holding 稳 and 增长, so a search at the limits fills k.
var (
	tinyOnce sync.Once
	tinyDir  string
	tinyIx   *retrieve.Index
	tinyErr  error
)

func tinyIndex(tb testing.TB) (string, *retrieve.Index) {
	tb.Helper()
	tinyOnce.Do(func() {
		src := filepath.Join(tmpRoot, "tiny-src")
		tinyDir = filepath.Join(tmpRoot, "tiny")
		if tinyErr = os.MkdirAll(src, 0o755); tinyErr != nil {
			return
		}
		for _, city := range []string{"北京市", "上海市", "广州市"} {
			var b strings.Builder
			fmt.Fprintf(&b, "%s2024年政府工作报告\n\n", city)
			for i := range 60 {
				fmt.Fprintf(&b, "第%d项，%s坚持稳中求进，稳增长、稳就业、稳物价，推动经济持续回升向好，全年地区生产总值增长百分之%d左右，城镇新增就业%d万人，居民收入增长与经济增长同步。", i+1, city, 5+i%3, 20+i)
				fmt.Fprintf(&b, "加快建设现代化产业体系，培育新质生产力，扩大有效投资和消费需求，稳住外贸外资基本盘，第%d批重点项目按期开工。\n\n", i+1)
			}
			if tinyErr = os.WriteFile(filepath.Join(src, city+".txt"), []byte(b.String()), 0o644); tinyErr != nil {
				return
			}
		}
		s := collectionAt(tinyDir)
		if _, err := collection.Index(context.Background(), s, []string{src}, collection.IndexOptions{
			ContextHeader: true, Lexical: indexer.DefaultLexical, Use: &collection.Embedding{}}); err != nil {
			tinyErr = err
			return
		}
		tinyIx, tinyErr = collection.OpenDir(context.Background(), s, tinyDir)
	})
	if tinyErr != nil {
		tb.Fatal(tinyErr)
	}
	return tinyDir, tinyIx
}

// tinyServer serves the tiny collection.
func tinyServer(tb testing.TB) (*running, *retrieve.Index) {
	dir, ix := tinyIndex(tb)
	r := serve(tb, server.Config{
		Load:  func(context.Context) (*retrieve.Index, error) { return ix, nil },
		Watch: filepath.Join(dir, store.SnapshotName),
	}, nil)
	return r, ix
}
