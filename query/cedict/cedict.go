// Package cedict holds an English → Chinese index, a gazetteer of Chinese
// counties and cities, and a traditional → simplified character map, all
// derived from CC-CEDICT (CC BY-SA 4.0, see LICENSE and ATTRIBUTION.md in
// this folder) by internal/gen; scripts/cedict-build.sh rebuilds them.
//
// Each table is decompressed and parsed on first use only, so a program
// that never asks (a Chinese query never needs the English index) never
// pays for it. All functions are safe for concurrent use.
package cedict

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed data/*.gz
var files embed.FS

// readTSV calls row for every line of an embedded gzip file, split at tabs.
// The files are built by internal/gen and checked by the tests, so a read
// error means a broken build and is returned for the caller to panic on.
func readTSV(name string, row func([]string)) error {
	raw, err := files.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("cedict: %s: %w", name, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		row(strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("cedict: %s: %w", name, err)
	}
	return nil
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

var (
	enOnce sync.Once
	en     map[string]string // key → "头|*名|..."
)

// Translation is one Chinese headword for an English key.
type Translation struct {
	Word string
	// Name: the headword is a proper noun (乔布斯 for "jobs"); use it only
	// when the user wrote the word capitalised.
	Name bool
}

// English returns the simplified Chinese translations of an English word
// or phrase, best first (see internal/gen, rank). key must be normalised
// with NormalizeKey. The first call loads the index (about 90,000 keys).
func English(key string) []Translation {
	enOnce.Do(func() {
		en = make(map[string]string, 100_000)
		must(readTSV("en.tsv.gz", func(f []string) {
			if len(f) == 2 {
				en[f[0]] = f[1]
			}
		}))
	})
	v, ok := en[key]
	if !ok {
		return nil
	}
	var out []Translation
	for _, w := range strings.Split(v, "|") {
		if name := strings.HasPrefix(w, "*"); name {
			out = append(out, Translation{Word: w[1:], Name: true})
		} else if w != "" {
			out = append(out, Translation{Word: w})
		}
	}
	return out
}

// NormalizeKey folds an English word or phrase the way the index keys are
// folded: lower case, hyphens, slashes, commas and full stops as spaces,
// spaces collapsed.
func NormalizeKey(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("-", " ", "/", " ", ",", " ", ".", " ", "\u2019", "'").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// Place is a county, county-level city, prefecture-level city or district.
type Place struct {
	Full    string // 滕州市
	Short   string // 滕州; "" when the short form is also a common word (东方)
	English string // tengzhou
	Level   string // county, city or district
}

var (
	placeOnce sync.Once
	places    []Place
)

// Places lists the gazetteer, sorted by full name.
func Places() []Place {
	placeOnce.Do(func() {
		must(readTSV("places.tsv.gz", func(f []string) {
			if len(f) == 4 {
				places = append(places, Place{Full: f[0], Short: f[1], English: f[2], Level: f[3]})
			}
		}))
	})
	return places
}

var (
	t2sOnce sync.Once
	t2s     map[rune]rune
)

// Simplify maps traditional characters to simplified ones where the
// mapping is unique; every other rune is kept.
func Simplify(s string) string {
	t2sOnce.Do(func() {
		t2s = make(map[rune]rune, 4000)
		must(readTSV("t2s.tsv.gz", func(f []string) {
			if len(f) == 2 {
				t, s := []rune(f[0]), []rune(f[1])
				if len(t) == 1 && len(s) == 1 {
					t2s[t[0]] = s[0]
				}
			}
		}))
	})
	return strings.Map(func(r rune) rune {
		if s, ok := t2s[r]; ok {
			return s
		}
		return r
	}, s)
}
