package validate

import "strings"

const (
	// IgnoreAnnotation lists, comma-separated, the rule IDs not to report
	// for an object ("all" silences every rule).
	IgnoreAnnotation = "vmhealth.io/ignore"
	// IgnoreReasonAnnotation says why; it is reported with each suppressed
	// finding.
	IgnoreReasonAnnotation = "vmhealth.io/ignore-reason"
)

// ignoreSet is the parsed suppression annotation of one object.
type ignoreSet struct {
	ids    map[string]bool
	all    bool
	reason string
}

func ignoredRules(annotations map[string]string) ignoreSet {
	v, ok := annotations[IgnoreAnnotation]
	if !ok {
		return ignoreSet{}
	}
	s := ignoreSet{ids: map[string]bool{}, reason: strings.TrimSpace(annotations[IgnoreReasonAnnotation])}
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		if id == "all" || id == "*" {
			s.all = true
		}
		if id != "" {
			s.ids[id] = true
		}
	}
	return s
}

// match reports whether rule id is suppressed, and the reason given.
func (s ignoreSet) match(id string) (string, bool) {
	if s.all || s.ids[id] {
		return s.reason, true
	}
	return "", false
}
