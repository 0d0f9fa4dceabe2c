package validate

import (
	"encoding/json"
	"fmt"
)

// LintObject lints one object that has no source file, such as one read from
// a cluster (an unstructured object's content). Its findings carry no file
// or position; they name the object.
func (l *Linter) LintObject(obj map[string]any) ([]Finding, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding object: %w", err)
	}
	findings, _ := l.LintBytes("", data)
	return findings, nil
}
