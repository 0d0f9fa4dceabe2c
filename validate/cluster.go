package validate

import (
	"encoding/json"
	"fmt"
)

// LintObject lints one object that has no source file, such as one read from
// a cluster (an unstructured object's content). Its findings carry no file
// or position; they name the object. It runs on the calling goroutine, so a
// caller linting many objects chooses its own concurrency.
func (l *Linter) LintObject(obj map[string]any) ([]Finding, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding object: %w", err)
	}
	var out []Finding
	l.lintSerial("", data, func(f Finding) { out = append(out, f) }, nil)
	return out, nil
}
