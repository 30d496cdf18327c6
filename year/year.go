// Package year finds the year a report belongs to from what it says about
// itself: its title ("2026年北京市政府工作报告"), its date line
// ("——2023年3月5日在第十四届全国人民代表大会第一次会议上", "（2023年3月13日
// 第十四届全国人民代表大会第一次会议通过）"), or the National People's
// Congress session it names ("第十四届全国人民代表大会第三次会议" is 2025).
//
// Invariants: Of never guesses from a year merely mentioned in the text
// ("一、2025年工作回顾" in a 2026 report is not its year): only a title, a
// date line among the first lines, or a named NPC session count, in that
// order. It returns 0 when none says; years outside [First, Last] are
// ignored. It depends on nothing else in the module, so that both the
// chunker and the format readers can use it.
package year

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// First and Last bound the years accepted.
const (
	First = 1949
	Last  = 2100
)

// headLines is how many non-empty lines after the title are read for a
// date line: the date sits right under the title, before the speaker.
const headLines = 8

var (
	reTitle = regexp.MustCompile(`(\d{4})\s*年[^0-9月]*?(?:政府工作报告|报告)`)
	// A date line: optional dash or bracket, a full date, then 在 (delivered
	// at) or a session, or 通过 (adopted).
	reDate = regexp.MustCompile(`^[—\-－―─\s(（]*(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,40}?(?:在|会议|通过)`)
	reNPC  = regexp.MustCompile(`第([一二三四五六七八九十]+)届全国人民代表大会第([一二三四五六七八九十]+)次会议`)
)

// npcStart is the year of the first session of each National People's
// Congress (1st to 14th); session n of congress c met in npcStart[c-1]+n-1.
var npcStart = []int{1954, 1959, 1964, 1975, 1978, 1983, 1988, 1993, 1998, 2003, 2008, 2013, 2018, 2023}

// Of returns the year of a report with this title whose text starts with
// head (the title line may be part of head too), or 0.
func Of(title, head string) int {
	title = norm.NFKC.String(title)
	if m := reTitle.FindStringSubmatch(title); m != nil {
		if y := valid(m[1]); y != 0 {
			return y
		}
	}
	n := 0
	for _, l := range strings.Split(head, "\n") {
		l = strings.TrimSpace(norm.NFKC.String(l))
		if l == "" {
			continue
		}
		if n++; n > headLines+1 {
			break
		}
		if m := reDate.FindStringSubmatch(l); m != nil {
			if y := valid(m[1]); y != 0 {
				return y
			}
		}
	}
	if y := NPCSession(title); y != 0 {
		return y
	}
	return 0
}

// NPCSession returns the year of the National People's Congress session
// s names ("第十四届全国人民代表大会第三次会议" → 2025), or 0.
func NPCSession(s string) int {
	m := reNPC.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	c, n := chineseNumber(m[1]), chineseNumber(m[2])
	if c < 1 || c > len(npcStart) || n < 1 || n > 5 {
		return 0
	}
	return npcStart[c-1] + n - 1
}

// chineseNumber reads 一 … 九十九; 0 when s is not such a number.
func chineseNumber(s string) int {
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10
	case len(rs) == 1:
		return digits[rs[0]]
	case len(rs) == 2 && rs[0] == '十':
		return 10 + digits[rs[1]]
	case len(rs) == 2 && rs[1] == '十':
		return 10 * digits[rs[0]]
	case len(rs) == 3 && rs[1] == '十' && digits[rs[0]] > 0 && digits[rs[2]] > 0:
		return 10*digits[rs[0]] + digits[rs[2]]
	}
	return 0
}

func valid(s string) int {
	y, err := strconv.Atoi(s)
	if err != nil || y < First || y > Last {
		return 0
	}
	return y
}

// Range is an inclusive span of years; the zero Range holds every year.
type Range struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Empty reports whether r restricts nothing.
func (r Range) Empty() bool { return r.From == 0 && r.To == 0 }

// Contains reports whether y is in r (every y when r is empty; never 0
// otherwise: a report of unknown year is outside every year range).
func (r Range) Contains(y int) bool {
	if r.Empty() {
		return true
	}
	return y != 0 && y >= r.From && y <= r.To
}

// ParseRange reads "2019" or "2010-2019" (also "2010..2019", "2010–2019").
func ParseRange(s string) (Range, error) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	for _, sep := range []string{"..", "–", "—", "-", "~", "至", "到"} {
		if a, b, ok := strings.Cut(s, sep); ok {
			from, err1 := parseYear(a)
			to, err2 := parseYear(b)
			if err1 != nil {
				return Range{}, err1
			}
			if err2 != nil {
				return Range{}, err2
			}
			if from > to {
				return Range{}, &RangeError{s, "the first year is after the second"}
			}
			return Range{from, to}, nil
		}
	}
	y, err := parseYear(s)
	if err != nil {
		return Range{}, err
	}
	return Range{y, y}, nil
}

func parseYear(s string) (int, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "年")
	y, err := strconv.Atoi(s)
	if err != nil || y < First || y > Last {
		return 0, &RangeError{s, "want a year from " + strconv.Itoa(First) + " to " + strconv.Itoa(Last)}
	}
	return y, nil
}

// RangeError is a year or year range that cannot be read.
type RangeError struct{ Input, Msg string }

func (e *RangeError) Error() string { return "year " + strconv.Quote(e.Input) + ": " + e.Msg }

// String is "2019" or "2010-2019"; "" for the empty range.
func (r Range) String() string {
	switch {
	case r.Empty():
		return ""
	case r.From == r.To:
		return strconv.Itoa(r.From)
	}
	return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
}
