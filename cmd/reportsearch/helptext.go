package main

import "strings"

// usageText is a command's USAGE section: its synopsis, then example
// command lines (urfave/cli shows UsageText instead of the synopsis it would
// build, so the synopsis is written out here).
func usageText(synopsis string, examples ...string) string {
	var b strings.Builder
	b.WriteString(synopsis)
	b.WriteString("\n\nExamples:")
	for _, e := range examples {
		b.WriteString("\n  " + e)
	}
	return b.String()
}
