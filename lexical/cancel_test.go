package lexical

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestEncodeContext: a done context stops the encoding with ctx.Err(); a
// live one writes exactly what Encode writes.
func TestEncodeContext(t *testing.T) {
	ix := New(BigramUnigram(), Params{})
	ix.Add("a", "政府工作报告")
	ix.Add("b", "经济增长目标")
	var want, got bytes.Buffer
	if err := ix.Encode(&want); err != nil {
		t.Fatal(err)
	}
	if err := ix.EncodeContext(t.Context(), &got); err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("live context: %v, %d bytes, want %d", err, got.Len(), want.Len())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got.Reset()
	if err := ix.EncodeContext(ctx, &got); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want context.Canceled", err)
	}
}
