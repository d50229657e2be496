package albato

import (
	"testing"
	"time"
)

// FuzzParseDate: any input is parsed or refused, never a panic, and a
// parsed date is always UTC and survives a round trip through RFC 3339.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2025-08-14 19:12:13", "2025-08-14T19:12:13Z", "2025-08-14T21:12:13+02:00",
		"", "null", "2025-13-40 25:61:61", "0000-00-00 00:00:00", "2025-08-14 19:12:13.123",
		"2025-08-14T14:12:13-05:00", "2025-08-14T19:12:13.999999999+14:00", "1755198733", "1755198733.5",
		"0", "253402300799", "253402300800", "-1", "1.7e9", "17551987330000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDate(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("parseDate(%q) = %v, not UTC", s, got)
		}
		back, err := time.Parse(time.RFC3339Nano, got.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(got) {
			t.Fatalf("parseDate(%q) = %v does not round-trip: %v %v", s, got, back, err)
		}
	})
}
