package year

import "testing"

func TestOf(t *testing.T) {
	cases := []struct {
		name, title, head string
		want              int
	}{
		{"title year", "2025年中华人民共和国国务院政府工作报告", "各位代表：\n\n一、2024年工作回顾", 2025},
		{"date line under a bare title", "政府工作报告", "政府工作报告\n\n——2026年3月5日在第十四届全国人民代表大会第四次会议上\n\n国务院总理  李强", 2026},
		{"provincial date line", "北京市政府工作报告", "——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n市长  殷勇", 2026},
		{"full-width digits", "政府工作报告", "——２０２３年３月５日在第十四届全国人民代表大会第一次会议上", 2023},
		{"adoption note", "第十四届全国人民代表大会第一次会议关于政府工作报告的决议", "（2023年3月13日第十四届全国人民代表大会第一次会议通过）", 2023},
		{"NPC session only", "第十四届全国人民代表大会第三次会议关于政府工作报告的决议", "第十四届全国人民代表大会第三次会议听取和审议了", 2025},
		{"1957 without dash", "政府工作报告", "政府工作报告\n1957年6月26日在第一届全国人民代表大会第四次會議上", 1957},
		// A year mentioned in the body is not the report's year.
		{"body year ignored", "北京市政府工作报告", "各位代表：\n一、2025年工作回顾\n过去一年", 0},
		{"date deep in text ignored", "政府工作报告", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n——2023年3月5日在大会上", 0},
		{"out of range", "1900年报告", "", 0},
	}
	for _, c := range cases {
		if got := Of(c.title, c.head); got != c.want {
			t.Errorf("%s: Of(%q, %q) = %d, want %d", c.name, c.title, c.head, got, c.want)
		}
	}
}

func TestNPCSession(t *testing.T) {
	for s, want := range map[string]int{
		"第一届全国人民代表大会第一次会议":   1954,
		"第二届全国人民代表大会第三次会议":   1961,
		"第十三届全国人民代表大会第三次会议":  2020,
		"第十一届全国人民代表大会第五次会议":  2012,
		"第十五届全国人民代表大会第一次会议":  0, // not yet known
		"第十四届全国人民代表大会第六次会议":  0, // a congress has five sessions
		"北京市第十六届人民代表大会第四次会议": 0,
	} {
		if got := NPCSession(s); got != want {
			t.Errorf("NPCSession(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestParseRange(t *testing.T) {
	ok := map[string]Range{"2019": {2019, 2019}, "2010-2019": {2010, 2019}, " 2010..2019 ": {2010, 2019}, "2010–2019": {2010, 2019}, "２０１９年": {2019, 2019}}
	for s, want := range ok {
		got, err := ParseRange(s)
		if err != nil || got != want {
			t.Errorf("ParseRange(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "19", "2019-2010", "abc", "2019-", "1800"} {
		if _, err := ParseRange(s); err == nil {
			t.Errorf("ParseRange(%q): no error", s)
		}
	}
	r := Range{2010, 2019}
	if !r.Contains(2010) || !r.Contains(2019) || r.Contains(2020) || r.Contains(0) {
		t.Errorf("Contains wrong for %v", r)
	}
	if !(Range{}).Contains(0) {
		t.Error("the empty range must hold every report")
	}
}
