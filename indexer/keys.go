package indexer

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// File keys.
//
// A chunk is cited as "<key>#<report>.<paragraph>", and its report as
// "<key>#<report>", so the key of a source file is its identity in the
// collection: two sources (absolute paths) must never share one. The rule:
//
//   - A source already in the collection keeps its stored key, so nothing
//     stored is renamed behind the user's back and citations stay valid.
//   - A new source gets its natural key: the path relative to the indexed
//     folder, or the base name for a file named on the command line.
//   - Where that key is taken (by a stored source, or by another new source
//     of the same run), it is lengthened with the source's parent folders
//     ("r.txt" → "rB/r.txt" → "x/rB/r.txt" …) until it is unique. New sources
//     that collide with each other are all lengthened, so the order of the
//     arguments does not decide which one keeps the short name. The last
//     resort is the whole absolute path, which is unique by definition.
//   - Stored sources that share a key (collections written before this rule,
//     which keyed files by base name) lose their claim and are re-keyed by
//     the same rule; their vectors are kept (vectors are found by text hash,
//     not by key).

// keyCandidates lists the keys a source may take, shortest first: natural,
// then natural lengthened by one parent folder at a time, then the whole
// path. natural is expected to be a trailing part of the source's path;
// when it is not, the whole path follows it directly.
func keyCandidates(source, natural string) []string {
	src := filepath.ToSlash(source)
	out := []string{natural}
	if natural != src && !strings.HasSuffix(src, "/"+natural) {
		return append(out, src)
	}
	parts := strings.Split(strings.TrimPrefix(src, "/"), "/")
	n0 := strings.Count(natural, "/") + 1
	for l := n0 + 1; l <= len(parts); l++ {
		out = append(out, strings.Join(parts[len(parts)-l:], "/"))
	}
	if src != out[len(out)-1] {
		out = append(out, src)
	}
	return out
}

// keyRequest is a source that needs a key: its candidates and how far along
// them it has gone.
type keyRequest struct {
	source string
	cands  []string
	i      int
	extra  int // > 0 only if even the whole path was taken
}

func (r *keyRequest) key() string {
	k := r.cands[r.i]
	if r.extra > 0 {
		k = fmt.Sprintf("%s~%d", k, r.extra+1)
	}
	return k
}

func (r *keyRequest) lengthen() {
	if r.i < len(r.cands)-1 {
		r.i++
	} else {
		r.extra++
	}
}

// assignKeys decides the key of every source. stored maps the sources kept
// from the collection to their stored keys; fresh maps the other sources to
// their natural keys. It returns source → key for all of them, and one note
// for each key that differs from what the source asked for.
func assignKeys(stored, fresh map[string]string) (map[string]string, []string) {
	out := make(map[string]string, len(stored)+len(fresh))
	taken := map[string]string{} // key → source
	claims := map[string][]string{}
	for src, key := range stored {
		claims[key] = append(claims[key], src)
	}
	var pending []*keyRequest
	var notes []string
	for key, srcs := range claims {
		if len(srcs) == 1 {
			taken[key] = srcs[0]
			out[srcs[0]] = key
			continue
		}
		sort.Strings(srcs)
		for _, src := range srcs {
			pending = append(pending, &keyRequest{source: src, cands: keyCandidates(src, key)})
		}
	}
	asked := map[string]string{}
	for src, key := range fresh {
		pending = append(pending, &keyRequest{source: src, cands: keyCandidates(src, key)})
		asked[src] = key
	}
	for src, key := range stored {
		if _, ok := out[src]; !ok {
			asked[src] = key
		}
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].source < pending[j].source })
	for len(pending) > 0 {
		groups := map[string][]*keyRequest{}
		var keys []string
		for _, r := range pending {
			k := r.key()
			if groups[k] == nil {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], r)
		}
		sort.Strings(keys)
		var next []*keyRequest
		for _, k := range keys {
			g := groups[k]
			if _, busy := taken[k]; len(g) == 1 && !busy {
				taken[k] = g[0].source
				out[g[0].source] = k
				continue
			}
			for _, r := range g {
				r.lengthen()
				next = append(next, r)
			}
		}
		pending = next
	}
	named := map[string][]string{} // key asked for → sources asking
	for src, key := range stored {
		named[key] = append(named[key], src)
	}
	for src, key := range fresh {
		named[key] = append(named[key], src)
	}
	for src, want := range asked {
		if got := out[src]; got != want {
			var others []string
			for _, o := range named[want] {
				if o != src {
					others = append(others, o)
				}
			}
			sort.Strings(others)
			why := "taken"
			if len(others) > 0 {
				why = "also that of " + strings.Join(others, ", ")
			}
			notes = append(notes, fmt.Sprintf("%s is cited as %s: the name %s is %s", src, got, want, why))
		}
	}
	sort.Strings(notes)
	return out, notes
}

// rekey gives a chunk ID of file key from the ID it had under key from
// ("r.txt#0.1" under "rB/r.txt" is "rB/r.txt#0.1").
func rekey(id, from, to string) string {
	if from == to {
		return id
	}
	if rest, ok := strings.CutPrefix(id, from+"#"); ok {
		return to + "#" + rest
	}
	return to + "#" + id // not an ID the chunker made; keep it whole
}
