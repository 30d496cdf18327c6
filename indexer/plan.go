package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/store"
)

// loaded is a snapshot read for a run (empty when there is none).
type loaded struct {
	snap *store.Snapshot
	err  error
}

// loadPrior reads the stored snapshot. old is what the run updates (its
// records and file keys); prior is where vectors may be reused from. They
// are the same snapshot, except for a rebuild: it starts from nothing, but
// still reuses the vectors of the old snapshot when that can be read, since
// a rebuild is for recovering damage and re-chunking, not for re-embedding,
// and a rebuild cut short must not leave fewer vectors than it found.
func loadPrior(ctx context.Context, cfg Config) (old, prior loaded) {
	empty := loaded{snap: &store.Snapshot{}}
	snap, err := loadContext(ctx, cfg.Dir)
	switch {
	case ctx.Err() != nil:
		return loaded{err: ctx.Err()}, empty
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		return empty, empty
	case cfg.Rebuild:
		fmt.Fprintf(cfg.Log, "reportsearch: rebuilding without reusing stored vectors: %v\n", err)
		return empty, empty
	default:
		return loaded{err: err}, empty
	}
	if cfg.Rebuild {
		return empty, loaded{snap: snap}
	}
	return loaded{snap: snap}, loaded{snap: snap}
}

// sameModelAs tells whether vectors made by stored can stand beside (and be
// reused for) vectors of model.
func sameModelAs(stored, model embed.ModelInfo) bool {
	return stored.Name == model.Name &&
		(stored.Digest == "" || model.Digest == "" || stored.Digest == model.Digest)
}

// modelFor decides the model the run's collection records, and whether
// the stored vectors were made by it (only then can they be reused). When
// nothing can embed now and the stored collection holds vectors of another
// model, it keeps that model, with a note to say so: switching would only
// throw its vectors away, and a later run with the model embeds the rest.
func modelFor(prior *store.Snapshot, model embed.ModelInfo, canEmbed bool) (embed.ModelInfo, bool, string) {
	same := sameModelAs(prior.Manifest.Model, model)
	if n := prior.Embedded(); !canEmbed && !same && n > 0 {
		return prior.Manifest.Model, true, fmt.Sprintf("keeping the collection's model %s and its %d vectors: no model can embed now", prior.Manifest.Model.Name, n)
	}
	return model, same, ""
}

// reusableVectors maps embedding hashes to the stored vectors that can be
// reused (none when the model is not the same).
func reusableVectors(prior *store.Snapshot, sameModel bool) map[string][]float32 {
	reusable := map[string][]float32{}
	if !sameModel {
		return reusable
	}
	for i := range prior.Records {
		if r := &prior.Records[i]; r.Vector != nil && r.Hash != "" {
			reusable[r.Hash] = r.Vector
		}
	}
	return reusable
}

// planned is the record set a run will save, before embedding.
type planned struct {
	recs                   []store.Record
	added, reused, removed int
	notes                  []string
}

// plan computes the records a run leaves in the collection: the run's
// chunks (under the file keys of assignKeys, with vectors reused by hash),
// plus stored chunks the run did not cover whose source still exists or
// could not be read this time. hash gives a chunk's embedding hash.
func plan(old *store.Snapshot, set *Set, reusable map[string][]float32, sameModel bool, hash func(*chunk.Chunk) string) (planned, error) {
	var p planned
	inRun := map[string]string{} // source → natural key
	for i := range set.Records {
		if r := &set.Records[i]; r.Source != "" {
			inRun[r.Source] = r.File
		}
	}
	keptSource := func(src string) bool {
		if _, ok := inRun[src]; ok {
			return false // the run's chunks replace it
		}
		return set.Unreadable[src] || (!underAny(src, set.Roots) && exists(src))
	}
	// The sources the collection keeps claim their stored keys.
	stored := map[string]string{}
	for i := range old.Records {
		r := &old.Records[i]
		if r.Source == "" {
			continue
		}
		if _, ok := stored[r.Source]; ok {
			continue
		}
		if _, ok := inRun[r.Source]; ok || keptSource(r.Source) {
			stored[r.Source] = r.File
		}
	}
	fresh := map[string]string{}
	for src, key := range inRun {
		if _, ok := stored[src]; !ok {
			fresh[src] = key
		}
	}
	keys, notes := assignKeys(stored, fresh)
	for src, key := range stored {
		if _, again := inRun[src]; keys[src] != key && !again {
			// Only a collection written before keys were unique holds two
			// sources under one key; that version let one file's chunks
			// replace the other's.
			notes = append(notes, fmt.Sprintf("%s shared its name with another file in this collection (written by an older version, which may have dropped some of its chunks): index it again to be sure it is complete", src))
		}
	}
	sort.Strings(notes)
	p.notes = notes

	seen := map[string]bool{}
	for _, r := range set.Records {
		if r.Source != "" {
			key := keys[r.Source]
			r.ID, r.File = rekey(r.ID, r.File, key), key
		}
		if seen[r.ID] {
			return p, fmt.Errorf("two chunks share the ID %q", r.ID)
		}
		seen[r.ID] = true
		r.Hash = hash(&r.Chunk)
		r.Vector = nil
		if v, ok := reusable[r.Hash]; ok {
			r.Vector = v
			p.reused++
		} else {
			p.added++
		}
		p.recs = append(p.recs, r)
	}
	for _, r := range old.Records {
		if key, ok := keys[r.Source]; ok && r.Source != "" {
			r.ID, r.File = rekey(r.ID, r.File, key), key
		}
		if seen[r.ID] {
			continue // replaced by the run's chunk of the same ID
		}
		// Chunks from a dataset (no source) are replaced by a dataset run
		// and dropped by a file run.
		if r.Source == "" || !keptSource(r.Source) {
			p.removed++
			continue
		}
		if !sameModel {
			r.Vector = nil
		}
		seen[r.ID] = true
		p.recs = append(p.recs, r)
	}
	return p, nil
}
