package provider

import (
	"fmt"
	"strings"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// Descriptions and messages state numbers and names that constants decide
// (the link's lifetime, the wait's pauses, page sizes, the status names)
// through these helpers, so that they follow the constants when those
// change. TestNoHandTypedConstantsInStrings holds it.

// inWords writes a whole number of hours, minutes or seconds as words:
// "48 hours", "1 second".
func inWords(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// goDuration writes d as the shortest Go duration that parses back to it:
// "48h", "10m", "0s".
func goDuration(d time.Duration) string {
	s := d.String()
	if d%time.Minute == 0 && d != 0 {
		s = strings.TrimSuffix(s, "0s")
	}
	if d%time.Hour == 0 && d != 0 {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// statusNameList lists the status names in code spans, the last joined by
// conj ("or", "and") or by a comma when conj is empty.
func statusNameList(conj string) string {
	quoted := make([]string, len(statusNames))
	for i, n := range statusNames {
		quoted[i] = "`" + n + "`"
	}
	last := len(quoted) - 1
	if conj == "" {
		return strings.Join(quoted, ", ")
	}
	return strings.Join(quoted[:last], ", ") + " " + conj + " " + quoted[last]
}

// statusNumbers says what each status number means.
var statusNumbers = fmt.Sprintf("`%d` %s, `%d` %s, `%d` waiting for OAuth, `%d` %s",
	albato.StatusWaiting, albato.StatusWaiting.Name(), albato.StatusGranted, albato.StatusGranted.Name(),
	albato.StatusWaitingOAuth, albato.StatusRevoked, albato.StatusRevoked.Name())
