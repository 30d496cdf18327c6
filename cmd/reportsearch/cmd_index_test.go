package main

import "testing"

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "64MiB": 64 << 20, "64mib": 64 << 20, "64M": 64 << 20, "64 MB": 64 << 20,
		"10KiB": 10 << 10, "2G": 2 << 30, "100B": 100, " 7 k ": 7 << 10,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "lots", "1.5MiB", "MiB", "1TiB", "99999999999G"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}
