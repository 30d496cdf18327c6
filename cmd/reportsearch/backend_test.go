package main

// Tests of the vector backends. REPORTSEARCH_TEST_STORE runs the whole e2e
// suite against a backend: the test process passes it to every reportsearch
// it starts as REPORTSEARCH_STORE (rs inherits the environment), e.g.
//
//	REPORTSEARCH_TEST_STORE=weaviate go test ./cmd/reportsearch/
//
// "weaviate" means weaviate://$REPORTSEARCH_TEST_WEAVIATE; a full
// weaviate://host:port is used as given; "" or "chromem" is the default.

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

func init() {
	v := os.Getenv("REPORTSEARCH_TEST_STORE")
	if v == "weaviate" {
		v = "weaviate://" + os.Getenv("REPORTSEARCH_TEST_WEAVIATE")
	}
	os.Setenv("REPORTSEARCH_STORE", v)
}

// The Weaviate backend, synced from the real indexed corpus, answers dense
// searches like the in-memory chromem-go index over the same snapshot.
func TestWeaviateBackendAgreesWithChromem(t *testing.T) {
	addr := testenv.Weaviate(t)
	dataDir, host := indexedCorpus(t)
	infos, err := store.List(dataDir)
	if err != nil || len(infos) != 1 {
		t.Fatalf("want one collection in %s: %v %v", dataDir, infos, err)
	}
	dir := infos[0].Dir
	snap, err := store.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	url := "weaviate://" + addr
	if err := collection.Sync(ctx, settings{Store: url}, dir, nil); err != nil {
		t.Fatal(err)
	}
	vi, err := collection.VectorBackend(ctx, settings{Store: url}, dir, snap)
	if err != nil {
		t.Fatal(err)
	}
	if vi == nil || vi.Len() != snap.Manifest.Embedded || vi.Dims() != 256 {
		t.Fatalf("backend holds %d vectors (want %d)", vi.Len(), snap.Manifest.Embedded)
	}
	emb, err := embed.NewOllama(host, fixtureModel, embed.DefaultOllamaOptions())
	if err != nil {
		t.Fatal(err)
	}
	emb.UseInfo(snap.Manifest.Model)
	viaWeaviate, err := retrieve.FromSnapshotWith(ctx, snap, emb, vi)
	if err != nil {
		t.Fatal(err)
	}
	inMemory, err := retrieve.FromSnapshot(ctx, snap, emb)
	if err != nil {
		t.Fatal(err)
	}
	questions := []string{"北京市2026年经济增长的预期目标是多少", "城镇新增就业", "加快老旧小区改造", "科技创新和产业创新深度融合", "粮食产量"}
	same, total := 0, 0
	for _, q := range questions {
		dense := retrieve.DefaultOptions()
		dense.K, dense.Mode = 10, retrieve.Dense
		beijing := dense
		beijing.Reports = []string{"北京"}
		for _, opt := range []retrieve.Options{dense, beijing} {
			got, _, err := viaWeaviate.Search(ctx, q, opt)
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := inMemory.Search(ctx, q, opt)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, r := range want {
				ids[r.ID] = true
			}
			for _, r := range got {
				if ids[r.ID] {
					same++
				}
				if len(opt.Reports) > 0 && !strings.Contains(r.Report, "北京") {
					t.Errorf("%s: report filter 北京 let through %s (%s)", q, r.ID, r.Report)
				}
			}
			total += len(want)
		}
	}
	recall := float64(same) / float64(total)
	t.Logf("dense top-10 via Weaviate vs in-memory over %d searches: recall %.3f", 2*len(questions), recall)
	if recall < 0.97 {
		t.Errorf("recall %.3f < 0.97", recall)
	}

	// A second sync of the unchanged collection writes nothing: the class
	// count is unchanged and re-syncing is quiet (checked in store/weaviate).
	if err := collection.Sync(ctx, settings{Store: url}, dir, snap); err != nil {
		t.Fatal(err)
	}
	if vi2, err := collection.VectorBackend(ctx, settings{Store: url}, dir, snap); err != nil || vi2.Len() != vi.Len() {
		t.Fatalf("after re-sync: %v, %v", vi2, err)
	}
}
