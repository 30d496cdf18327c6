package weaviate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/store"
)

func TestParseAddrGRPC(t *testing.T) {
	for _, tc := range []struct{ addr, host, scheme, grpc string }{
		{"127.0.0.1:8089", "127.0.0.1:8089", "http", "127.0.0.1:8090"},
		{"weaviate://h:8080?grpc=:50051", "h:8080", "http", "h:50051"},
		{"https://h:443?grpc=g:50051", "h:443", "https", "g:50051"},
		{"http://h:8080?grpc=off", "h:8080", "http", ""},
		{"http://h", "h", "http", ""}, // no port: no guess
	} {
		host, scheme, grpc, err := parseAddr(tc.addr)
		if err != nil || host != tc.host || scheme != tc.scheme || grpc != tc.grpc {
			t.Errorf("%s: %q %q %q %v, want %q %q %q", tc.addr, host, scheme, grpc, err, tc.host, tc.scheme, tc.grpc)
		}
	}
	for _, tc := range []struct{ addr, want string }{
		{"h:8080?grpc=50051", "grpc=\"50051\""},
		{"h:8080?grcp=:1", "unknown parameter \"grcp\""},
	} {
		if _, _, _, err := parseAddr(tc.addr); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %s", tc.addr, err, tc.want)
		}
	}
}

func syntheticRecords(n, dims int) []store.Record {
	r := rand.New(rand.NewPCG(7, 8))
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i].Chunk = chunk.Chunk{ID: fmt.Sprintf("c%04d", i), File: "f", ReportIndex: i % 3}
		recs[i].Hash = recs[i].ID
		v := make([]float32, dims)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		recs[i].Vector = v
	}
	return recs
}

// Imports go over gRPC where the server has it (scripts/weaviate-up.sh puts
// it on the REST port + 1), and over REST when the gRPC port does not answer;
// both land every object.
func TestPutOverGRPCAndFallback(t *testing.T) {
	addr := testenv.Weaviate(t)
	recs := syntheticRecords(1200, 16)
	for _, tc := range []struct{ suffix, want string }{
		{"", "grpc"},
		{"?grpc=127.0.0.1:1", "rest"},
		{"?grpc=off", "rest"},
	} {
		a := addr
		if !strings.Contains(a, "://") {
			a = "weaviate://" + a
		}
		ix, _ := freshIndex(t, a+tc.suffix)
		if err := ix.Put(context.Background(), recs); err != nil {
			t.Fatalf("%s: %v", tc.suffix, err)
		}
		if got := ix.ImportProtocol(); got != tc.want {
			t.Errorf("%q: imported over %s, want %s", tc.suffix, got, tc.want)
		}
		if ix.Len() != len(recs) {
			t.Errorf("%q: %d objects after importing %d", tc.suffix, ix.Len(), len(recs))
		}
		hits, err := ix.Query(context.Background(), recs[17].Vector, 1, nil)
		if err != nil || len(hits) != 1 || hits[0].ID != recs[17].ID {
			t.Errorf("%q: query for c0017's own vector: %+v %v", tc.suffix, hits, err)
		}
	}
}
