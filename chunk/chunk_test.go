package chunk

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

// corpusDir is the shared corpus beside the repository.
func corpusDir(t testing.TB) string { return filepath.Join(testenv.Shared(t), "corpus") }

func corpusFile(t testing.TB, prefix string) (name, text string) {
	dir := corpusDir(t)
	m, _ := filepath.Glob(filepath.Join(dir, prefix+"_*.txt"))
	if len(m) != 1 {
		t.Fatalf("corpus file %s_*.txt: found %v", prefix, m)
	}
	text, _, err := ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(m[0]), text
}

// squeeze drops all whitespace: the invariants compare text that way.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// bare drops whitespace and Markdown markup, to compare a heading line with
// its entry in Chunk.Headings.
func bare(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '#' || r == '*' {
			return -1
		}
		return r
	}, s)
}

var reLineBreak = regexp.MustCompile(`\r\n|\r|\n`)
var reTitlePrefix = regexp.MustCompile(`^[\d.．、]*$`)

// checkInvariants asserts, for the chunks of one file:
//   - IDs unique, Text non-empty and at most MaxRunes runes;
//   - spans in order, not overlapping, on rune boundaries;
//   - Line is the 1-based line of Start;
//   - text[Start:End] with its whole noise lines and all whitespace removed
//     equals Text with whitespace removed;
//   - coverage: every non-blank line outside all spans is a noise line (and
//     holds no Han character), or the title of the next chunk's report, or one
//     of a contiguous, in-order run of the next chunk's Headings. Together:
//     each non-whitespace character of the file is in exactly one chunk, in
//     the heading metadata of the chunk after it, or on a noise line.
func checkInvariants(t testing.TB, text string, cs []Chunk, opt Options) {
	t.Helper()
	ids := map[string]bool{}
	prevEnd := 0
	var breakEnds []int
	for _, m := range reLineBreak.FindAllStringIndex(text, -1) {
		breakEnds = append(breakEnds, m[1])
	}
	for i, c := range cs {
		if ids[c.ID] {
			t.Fatalf("duplicate ID %s", c.ID)
		}
		ids[c.ID] = true
		if n := utf8.RuneCountInString(c.Text); n == 0 || n > opt.MaxRunes {
			t.Fatalf("%s: %d runes (max %d): %q", c.ID, n, opt.MaxRunes, c.Text)
		}
		if c.Text != strings.TrimSpace(c.Text) {
			t.Fatalf("%s: text not trimmed: %q", c.ID, c.Text)
		}
		if c.Start < prevEnd || c.End <= c.Start || c.End > len(text) ||
			!utf8.ValidString(text[c.Start:c.End]) {
			t.Fatalf("%s: bad span [%d,%d) after %d (len %d)", c.ID, c.Start, c.End, prevEnd, len(text))
		}
		pieces := reLineBreak.Split(text[c.Start:c.End], -1)
		kept := pieces[:0:0]
		for j, p := range pieces {
			if j > 0 && j < len(pieces)-1 && strings.TrimSpace(p) != "" && isNoise(strings.TrimSpace(p)) {
				continue
			}
			kept = append(kept, p)
		}
		if got, want := squeeze(strings.Join(kept, "")), squeeze(c.Text); got != want {
			t.Fatalf("%s: span text differs from Text:\nspan %q\ntext %q", c.ID, got, want)
		}
		// The line of a byte is 1 + the number of line breaks that end at
		// or before it (found once for the file, not per chunk: a split of
		// the whole prefix per chunk made this check quadratic).
		if want := 1 + sort.SearchInts(breakEnds, c.Start+1); c.Line != want {
			t.Fatalf("%s: Line %d, want %d (line of byte %d)", c.ID, c.Line, want, c.Start)
		}
		checkGap(t, text[prevEnd:c.Start], &cs[i])
		prevEnd = c.End
	}
	checkGap(t, text[prevEnd:], nil)
}

func checkGap(t testing.TB, gap string, next *Chunk) {
	t.Helper()
	var heads []string
	title := false
	for _, l := range reLineBreak.Split(gap, -1) {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case isNoise(l):
			if strings.ContainsFunc(l, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Fatalf("noise line with Chinese text: %q", l)
			}
		case next == nil:
			t.Fatalf("text after the last chunk: %q", l)
		case !title && strings.HasSuffix(bare(l), bare(next.Report)) &&
			reTitlePrefix.MatchString(strings.TrimSuffix(bare(l), bare(next.Report))):
			title = true
		default:
			heads = append(heads, bare(l))
		}
	}
	if len(heads) == 0 {
		return
	}
	for k := range next.Headings {
		if k+len(heads) > len(next.Headings) {
			break
		}
		ok := true
		for j, h := range heads {
			ok = ok && bare(next.Headings[k+j]) == h
		}
		if ok {
			return
		}
	}
	t.Fatalf("lines %q before %s are neither noise, its report title %q nor a run of its headings %q",
		heads, next.ID, next.Report, next.Headings)
}

func TestCorpusInvariants(t *testing.T) {
	dir := corpusDir(t)
	all, errs, _ := Walk(t.Context(), []string{dir}, WalkOptions{})
	var files []string
	for _, f := range all {
		if strings.HasSuffix(f, ".txt") {
			files = append(files, f)
		}
	}
	if len(errs) > 0 || len(files) != 5 {
		t.Fatalf("walk %s: %v %v", dir, files, errs)
	}
	for _, opt := range []Options{DefaultOptions(), {MaxRunes: 120, MinRunes: 20}, {MaxRunes: 50, MinRunes: 49}} {
		for _, f := range files {
			text, _, err := ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := Split(filepath.Base(f), text, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, text, cs, opt)
		}
	}
}

func TestCorpusMultiReportFile(t *testing.T) {
	name, text := corpusFile(t, "004")
	cs, err := Split(name, text, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	titles := map[int]string{}
	regions := map[int]string{}
	for _, c := range cs {
		if old, ok := titles[c.ReportIndex]; ok && old != c.Report {
			t.Fatalf("report %d has two titles %q, %q", c.ReportIndex, old, c.Report)
		}
		titles[c.ReportIndex], regions[c.ReportIndex] = c.Report, c.Region
		if strings.Contains(c.Text, "政府工作报告\n") || strings.HasSuffix(c.Text, "自治区政府工作报告") {
			t.Errorf("%s: report title inside a chunk: %q", c.ID, c.Text)
		}
	}
	if len(titles) != 32 {
		t.Fatalf("got %d reports, want 32: %v", len(titles), titles)
	}
	for i, want := range map[int]string{
		0: "政府工作报告", 1: "北京市政府工作报告", 5: "内蒙古自治区政府工作报告",
		20: "广西壮族自治区政府工作报告", 26: "西藏自治区政府工作报告", 31: "新疆维吾尔自治区政府工作报告",
	} {
		if titles[i] != want {
			t.Errorf("report %d: title %q, want %q", i, titles[i], want)
		}
	}
	if regions[0] != "全国" || regions[1] != "北京市" || regions[31] != "新疆维吾尔自治区" {
		t.Errorf("regions: %q %q %q", regions[0], regions[1], regions[31])
	}
	// A numbered list item inside a report is content, not a boundary.
	found := false
	for _, c := range cs {
		if strings.HasPrefix(c.Text, "1.医疗卫生方面。") {
			found = true
		}
	}
	if !found {
		t.Error("list item 1.医疗卫生方面。… is not the start of a chunk")
	}
}

func TestCorpusTitles(t *testing.T) {
	for prefix, want := range map[string][]string{
		"000": {"当前经济工作的重点任务", "因地制宜发展新质生产力", "市委召开专题会议",
			"中共望江县委办公室 望江县人民政府办公室 关于建立重点工作专班专项专策机制的通知"},
		"001": {"在县2026年工作思路研讨会上的讲话稿"},
		"002": {"滕州市县域经济高质量发展引领发展试点工作方案"},
		"003": {"担当好稳增长挑大梁的责任实施方案"},
	} {
		name, text := corpusFile(t, prefix)
		cs, err := Split(name, text, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			if c.ReportIndex == len(got) {
				got = append(got, c.Report)
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: titles %q, want %q", name, got, want)
		}
	}
}

func TestCorpusPageBreakJoins(t *testing.T) {
	for _, tc := range []struct{ prefix, joined, head string }{
		{"000", "建设北京（京津冀）、上海（长三角）、粤港澳大湾区国际科技创新中心", "（二）坚持创新驱动，加紧培育壮大新动能。"},
		{"003", "其他部门要密切配合", "2. 强化工作协同。"},
	} {
		name, text := corpusFile(t, tc.prefix)
		cs, err := Split(name, text, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		var hit *Chunk
		for i := range cs {
			if strings.Contains(cs[i].Text, tc.joined) {
				hit = &cs[i]
			}
		}
		if hit == nil {
			t.Fatalf("%s: no chunk contains %q", name, tc.joined)
		}
		if h := hit.Headings; len(h) == 0 || h[len(h)-1] != tc.head {
			t.Errorf("%s: headings %q, want last %q", hit.ID, h, tc.head)
		}
		if !strings.Contains(text[hit.Start:hit.End], "\n") {
			t.Errorf("%s: span does not cross the break", hit.ID)
		}
	}
}

func TestCorpusHeadingsAreNotChunks(t *testing.T) {
	name, text := corpusFile(t, "002")
	cs, err := Split(name, text, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if strings.HasPrefix(c.Text, "#") || strings.Contains(c.Text, "\n#") {
			t.Errorf("%s: heading in text %q", c.ID, c.Text)
		}
	}
	want := []string{"二、重点任务", "（一）实施创新驱动发展战略", "1.推进创新平台建设。"}
	for _, c := range cs {
		if strings.HasPrefix(c.Text, "**1.推进创新平台建设。**") {
			if strings.Join(c.Headings, "|") != strings.Join(want, "|") {
				t.Errorf("%s: headings %q, want %q", c.ID, c.Headings, want)
			}
			return
		}
	}
	t.Error("no chunk starts with the bold lead-in of item 1")
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		line  string
		kind  kind
		level int
		head  string
	}{
		{"一、2025年工作回顾", kindHeading, levelChapter, "一、2025年工作回顾"},
		{"（一）关于主要目标指标", kindHeading, levelSection, "（一）关于主要目标指标"},
		{"(四)做好统筹衔接。各责任单位要指导和帮助乡镇(街道)同步做好相关工作。", kindPara, levelSection, "(四)做好统筹衔接。"},
		{"1. 纺织服装产业集群推进专班", kindHeading, levelItem, "1. 纺织服装产业集群推进专班"},
		{"1．加强组织领导", kindHeading, levelItem, "1．加强组织领导"},
		{"1.5倍于去年的投资规模", kindPara, 0, ""},
		{"1. **强化政策协同。**建立政策梳理对接调度机制，结合国省最新政策动向，定期梳理更新政策清单。", kindPara, levelItem, "1. 强化政策协同。"},
		{"**1.推进创新平台建设。**实施科技平台建设行动，鼓励企业与高校院所合作建设重点实验室。", kindPara, levelItem, "1.推进创新平台建设。"},
		{"（三）强化专策支撑。各责任单位要加强对国家、省、", kindPara, levelSection, "（三）强化专策支撑。"},
		{"## 一、总体要求", kindHeading, levelChapter, "一、总体要求"},
		{"#### （四）促进民营经济做大做优做强", kindHeading, levelSection, "（四）促进民营经济做大做优做强"},
		{"# 滕州市人民政府文件", kindHeading, 1, "滕州市人民政府文件"},
		{"**关于进一步加强管理**", kindHeading, levelBold, "关于进一步加强管理"},
		{"十五", kindHeading, levelChapter, "十五"},
		{"—", kindNoise, 0, ""},
		{"**", kindNoise, 0, ""},
		{"_", kindNoise, 0, ""},
		{"- 12 -", kindNoise, 0, ""},
		{"第3页", kindNoise, 0, ""},
		{"一是实施更加积极有为的宏观政策，着力稳定经济运行。", kindPara, 0, ""},
		{"各位代表：", kindPara, 0, ""},
	} {
		c := classify(tc.line)
		if c.kind != tc.kind || c.level != tc.level || headingText(c.head) != tc.head {
			t.Errorf("classify(%q) = %+v, want kind %d level %d head %q", tc.line, c, tc.kind, tc.level, tc.head)
		}
	}
}

func TestBoundaryTitle(t *testing.T) {
	for line, want := range map[string]string{
		"1.政府工作报告":                      "政府工作报告",
		"2.北京市政府工作报告":                   "北京市政府工作报告",
		"32.新疆维吾尔自治区政府工作报告":             "新疆维吾尔自治区政府工作报告",
		"**3.天津市政府工作报告**":               "天津市政府工作报告",
		"1.医疗卫生方面。推进紧密型医联体建设。":          "",
		"1. 纺织服装产业集群推进专班":               "",
		"现在，我代表国务院，向大会作政府工作报告":          "",
		"政府工作报告":                        "",
		"2.认真听取政协委员对政府工作报告的意见，改进政府工作报告": "",
	} {
		if got := boundaryTitle(line); got != want {
			t.Errorf("boundaryTitle(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestContinues(t *testing.T) {
	for s, want := range map[string]bool{
		"（三）强化专策支撑。各责任单位要加强对国家、省、":            true,
		"建立沟通协调机制，其他部门要密":                     true,
		"（2024年10月29日在省部级主要领导干部学习贯彻党":         true,
		"第一,必须以产业项目为核心支撑,全力筑牢经济发展的“压舱石”。发展是第": true,
		"李新云 县政协副主席":                          false,
		"市委召开专题会议":                            false,
		"各位代表：":                               false,
		"推动新质生产力加快发展。":                        false,
		"（来源：《求是》2026/04）":                    false,
		"要积极争取政策、资金和项 ……":                     false,
		"2026年重点工作":                           false,
	} {
		if got := continues(s, utf8.RuneCountInString(s)); got != want {
			t.Errorf("continues(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSplitStructure(t *testing.T) {
	opt := Options{MaxRunes: 60, MinRunes: 10}
	text := strings.Join([]string{
		"1.政府工作报告",
		"一、总体要求",
		"（一）指导思想",
		"第一句话说明了很重要的事情。第二句话也说明了一些事情，而且它比较长一点。第三句话继续说下去，一直说到这里。第四句话结束全文。",
		"",
		"（二）空的小节",
		"二、主要任务",
		"短句。",
		"这一段在分页处断开了，所以这一行没有",
		"",
		"- 3 -",
		"",
		"句末标点，要和下一行连起来。",
		"2.北京市政府工作报告",
		"",
	}, "\n")
	cs, err := Split("t.txt", text, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, text, cs, opt)
	var got []string
	for _, c := range cs {
		got = append(got, c.ID+" "+strings.Join(c.Headings, ">")+" "+c.Text)
	}
	want := []string{
		"t.txt#0.1.1 一、总体要求>（一）指导思想 第一句话说明了很重要的事情。第二句话也说明了一些事情，而且它比较长一点。",
		"t.txt#0.1.2 一、总体要求>（一）指导思想 第三句话继续说下去，一直说到这里。第四句话结束全文。",
		"t.txt#0.2 一、总体要求 （二）空的小节",
		"t.txt#0.3 二、主要任务 短句。\n这一段在分页处断开了，所以这一行没有句末标点，要和下一行连起来。",
		"t.txt#1.1  2.北京市政府工作报告",
	}
	if strings.Join(got, "\n---\n") != strings.Join(want, "\n---\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if cs[4].Report != "北京市政府工作报告" || cs[4].ReportIndex != 1 {
		t.Errorf("empty report: %+v", cs[4])
	}
}

// TestLineNumbers: Line is where an editor shows the chunk's first
// character, whatever the line ends, including after a repaired page break
// and a merged tiny paragraph.
func TestLineNumbers(t *testing.T) {
	opt := Options{MaxRunes: 60, MinRunes: 4}
	text := "一、总体要求\r\n\r\n第一段说了一件事情。\r\n第二段在分页处断开了，所以这一行没有\n\n- 3 -\n\n接着说完。\r第三段用旧式的回车换行。\n\n\n第四段在第十二行。\n"
	cs, err := Split("t.txt", text, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, text, cs, opt)
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprintf("%d %s", c.Line, c.Text))
	}
	want := []string{"3 第一段说了一件事情。", "4 第二段在分页处断开了，所以这一行没有接着说完。", "9 第三段用旧式的回车换行。", "12 第四段在第十二行。"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestSplitLongSentences(t *testing.T) {
	opt := Options{MaxRunes: 50, MinRunes: 5}
	long := strings.Repeat("推进", 40) + "，" + strings.Repeat("发展", 30) + "。" // one 141-rune sentence
	nopunct := strings.Repeat("字", 230)
	for _, text := range []string{long, nopunct, "短。" + strings.Repeat("长", 60) + "。"} {
		cs, err := Split("t", text, opt)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, text, cs, opt)
		n := utf8.RuneCountInString(text)
		if want := (n + opt.MaxRunes - 1) / opt.MaxRunes; len(cs) != want {
			t.Errorf("%d runes: %d parts, want %d", n, len(cs), want)
		}
		for _, c := range cs {
			// balanced: no part under half the average
			if k := utf8.RuneCountInString(c.Text); k*2*len(cs) < n {
				t.Errorf("%s: unbalanced part of %d runes out of %d", c.ID, k, n)
			}
		}
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{MaxRunes: 49, MinRunes: 10}, {MaxRunes: 100, MinRunes: 100}, {MaxRunes: 100, MinRunes: -1}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
		if _, err := Split("f", "文本。", o); err == nil || !strings.Contains(err.Error(), "Runes") {
			t.Errorf("Split with %+v: %v", o, err)
		}
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Error(err)
	}
	if a, b := Fingerprint(DefaultOptions()), Fingerprint(Options{MaxRunes: 300, MinRunes: 40}); a == b || !strings.Contains(a, Version) {
		t.Errorf("fingerprints %q %q", a, b)
	}
	if _, err := Split("bad.txt", "abc\xff", DefaultOptions()); err == nil || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("1.政府工作报告\n\n一、总体要求\n\n（一）坚持内需主导。统筹促消费和扩投资，\n\n- 2 -\n\n用好市场优势。\n")
	f.Add("# 标题\n## 一、总体要求\n**1.推进建设。**实施行动。\n_\n**\n十五\n")
	f.Add("\r\n\r1. **强化。**其他部门要密\r\n切配合。\u3000\n")
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "*.txt"))
	for _, file := range files {
		{
			text, _, err := ReadFile(file)
			if err != nil {
				continue
			}
			for _, at := range []int{0, len(text) / 3, len(text) / 2} {
				for at > 0 && !utf8.RuneStart(text[at]) {
					at--
				}
				end := min(len(text), at+1500)
				for end < len(text) && !utf8.RuneStart(text[end]) {
					end--
				}
				f.Add(text[at:end])
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			if _, err := Split("f", text, DefaultOptions()); err == nil {
				t.Fatal("invalid UTF-8 accepted")
			}
			return
		}
		for _, opt := range []Options{DefaultOptions(), {MaxRunes: 50, MinRunes: 10}} {
			cs, err := Split("f", text, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, text, cs, opt)
		}
	})
}

// TestReportYears: every report of a collection gets its year from its
// title or the date line under it, not from a year its text mentions.
func TestReportYears(t *testing.T) {
	text := "1.政府工作报告\n\n——2026年3月5日在第十四届全国人民代表大会第四次会议上\n\n国务院总理  李强\n\n各位代表：\n\n一、2025年工作回顾\n\n过去一年，经济运行总体平稳，国内生产总值增长5%左右，就业物价总体稳定。\n\n" +
		"2.北京市政府工作报告\n\n——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n市长  殷勇\n各位代表：\n\n2025年，全市经济运行总体平稳，地区生产总值增长5.4%，居民收入稳步增长。\n\n" +
		"3.天津市政府工作报告\n\n各位代表：\n\n2025年，全市经济运行总体平稳，地区生产总值增长5%，居民收入稳步增长。\n"
	cs, err := Split("c.txt", text, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{0: 2026, 1: 2026, 2: 0}
	for _, c := range cs {
		if c.Year != want[c.ReportIndex] {
			t.Errorf("report %d (%s) chunk %s: year %d, want %d", c.ReportIndex, c.Report, c.ID, c.Year, want[c.ReportIndex])
		}
	}
}
