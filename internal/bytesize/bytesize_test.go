package bytesize

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "64MiB": 64 << 20, "64mib": 64 << 20, "64M": 64 << 20, "64 MB": 64 << 20,
		"10KiB": 10 << 10, "2G": 2 << 30, "100B": 100, " 7 k ": 7 << 10,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "lots", "1.5MiB", "MiB", "1TiB", "99999999999G"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", in, got)
		}
	}
}

// Exact is read back by Parse wherever it gives a whole unit.
func TestExact(t *testing.T) {
	for n, want := range map[int64]string{1000: "1000 bytes", 512 << 10: "512 KiB", 64 << 20: "64 MiB", 2 << 30: "2 GiB",
		211500000: "201.7 MiB (211500000 bytes)"} {
		if got := Exact(n); got != want {
			t.Errorf("Exact(%d) = %q, want %q", n, got, want)
		}
	}
	for _, n := range []int64{1000, 512 << 10, 64 << 20, 2 << 30} {
		if back, err := Parse(Exact(n)); err != nil || back != n {
			t.Errorf("Parse(Exact(%d)) = %d, %v", n, back, err)
		}
	}
}

func TestShort(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 26932: "26.3 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := Short(n); got != want {
			t.Errorf("Short(%d) = %q, want %q", n, got, want)
		}
	}
}
