package provider

import (
	"fmt"
	"strings"
	"time"

	"github.com/albato/terraform-provider-albato/internal/albato"
)

// Descriptions and messages state the numbers and names that constants
// decide (lifetime, pauses, page sizes, status names) through these helpers,
// so that they follow the constants (TestNoHandTypedConstantsInStrings).

// inWords writes a whole number of hours, minutes or seconds: "48 hours", "1 second".
func inWords(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	return fmt.Sprintf("%d %s", n, plural(int(n), unit, unit+"s"))
}

// goDuration writes d as the shortest Go duration that parses back to it: "48h", "10m", "0s".
func goDuration(d time.Duration) string {
	s := d.String()
	if d != 0 && d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
		if d%time.Hour == 0 {
			s = strings.TrimSuffix(s, "0m")
		}
	}
	return s
}

// statusNameList lists the status names in code spans, the last joined by
// conj ("or", "and") or by a comma when conj is empty.
func statusNameList(conj string) string {
	list := "`" + strings.Join(statusNames, "`, `") + "`"
	if conj == "" {
		return list
	}
	i := strings.LastIndex(list, ", ")
	return list[:i] + " " + conj + list[i+1:]
}

// statusNumbers says what each status number means.
var statusNumbers = fmt.Sprintf("`%d` %s, `%d` %s, `%d` waiting for OAuth, `%d` %s",
	albato.StatusWaiting, albato.StatusWaiting.Name(), albato.StatusGranted, albato.StatusGranted.Name(),
	albato.StatusWaitingOAuth, albato.StatusRevoked, albato.StatusRevoked.Name())
