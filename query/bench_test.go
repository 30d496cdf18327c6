package query

import "testing"

// BenchmarkParse times parsing once the tables are loaded: a Chinese
// question (never loads the English index) and an English one.
func BenchmarkParse(b *testing.B) {
	for _, q := range []string{"2026年全国经济增长预期目标定的是多少", "What GDP growth target did Guangdong set for 2026?"} {
		Parse(q)
		b.Run(q[:6], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Parse(q)
			}
		})
	}
}
