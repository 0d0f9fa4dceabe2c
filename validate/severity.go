package validate

import (
	"fmt"
	"strings"
)

// Severity ranks a finding. The zero value is SeverityInfo; higher is worse.
type Severity int

const (
	// SeverityInfo marks advice: nothing is broken, but a user should know.
	SeverityInfo Severity = iota
	// SeverityWarning marks a likely mistake that KubeVirt will not report.
	SeverityWarning
	// SeverityError marks something KubeVirt rejects, or that makes the VM fail
	// to start or the health check fail forever.
	SeverityError
)

var severityNames = [...]string{"info", "warning", "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name as written in flags and config files.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalText writes the severity's name, so JSON and YAML carry words.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
