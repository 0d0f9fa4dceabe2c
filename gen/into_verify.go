package gen

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/internal/yamledit"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/vmhealth/vmhealth/validate"
)

// verifyMerge checks the merged file before anyone writes it: the object
// holds exactly the stanza, nothing outside the changed fields differs,
// and lint finds no new error.
func (s *Stanza) verifyMerge(original []byte, res *IntoResult, opts IntoOptions) error {
	oldFile, err := yamledit.Parse(original)
	if err != nil {
		return err
	}
	newFile, err := yamledit.Parse(res.Data)
	if err != nil {
		return fmt.Errorf("internal error: the merged file does not parse: %w", err)
	}
	if len(oldFile.Docs) != len(newFile.Docs) {
		return errors.New("internal error: the merge changed the number of documents")
	}
	oldObj, err := findObject(oldFile, opts)
	if err != nil {
		return err
	}
	newObj, err := findObject(newFile, opts)
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	spec, err := newObj.typedSpec()
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if (s.Readiness != nil && !reflect.DeepEqual(spec.ReadinessProbe, s.Readiness)) ||
		(s.Liveness != nil && !reflect.DeepEqual(spec.LivenessProbe, s.Liveness)) ||
		(s.Watchdog != nil && !reflect.DeepEqual(spec.Domain.Devices.Watchdog, s.Watchdog)) {
		return errors.New("internal error: the merged object does not hold the generated stanza")
	}
	for i := range oldFile.Docs {
		a, b := plain(oldFile.Docs[i]), plain(newFile.Docs[i])
		if i == oldObj.doc {
			a = withoutTouched(a, oldObj.specPath)
			b = withoutTouched(b, newObj.specPath)
		}
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("internal error: the merge changed document %d outside the health checks", i+1)
		}
	}

	linter := opts.Linter
	if linter == nil {
		linter = defaultLinter()
	}
	oldFindings, _ := linter.LintBytes(opts.File, original)
	newFindings, _ := linter.LintBytes(opts.File, res.Data)
	seen := map[string]bool{}
	for _, f := range oldFindings {
		if f.Document == oldObj.doc {
			seen[f.RuleID+" "+f.Field] = true
		}
	}
	var errs field.ErrorList
	for _, f := range newFindings {
		if f.Document != newObj.doc || f.Suppressed != nil || seen[f.RuleID+" "+f.Field] {
			continue
		}
		if f.Severity >= validate.SeverityError {
			errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, Field: f.Field, BadValue: field.OmitValueType{}, Detail: f.Message + " [" + f.RuleID + "]"})
			continue
		}
		res.Findings = append(res.Findings, f)
	}
	if len(errs) > 0 {
		return &InvalidError{Errs: errs}
	}
	return nil
}

// plain decodes a document into maps and slices for comparison.
func plain(doc *yaml.Node) any {
	var v any
	_ = doc.Decode(&v)
	return v
}

// withoutTouched removes from a decoded object what MergeInto may change.
func withoutTouched(obj any, specPath []any) any {
	spec := obj
	for _, p := range specPath {
		m, ok := spec.(map[string]any)
		if !ok {
			return obj
		}
		spec = m[p.(string)]
	}
	m, ok := spec.(map[string]any)
	if !ok {
		return obj
	}
	delete(m, "readinessProbe")
	delete(m, "livenessProbe")
	w := kubevirtkinds.WatchdogPath
	if parent, ok := yamlpos.GetValue(m, w[:len(w)-1]); ok {
		if parent, ok := parent.(map[string]any); ok {
			delete(parent, w[len(w)-1])
		}
	}
	if domain, ok := m["domain"].(map[string]any); ok {
		if devices, ok := domain["devices"].(map[string]any); ok {
			if len(devices) == 0 {
				delete(domain, "devices")
			}
			if ifaces, ok := devices["interfaces"].([]any); ok {
				for _, iface := range ifaces {
					if im, ok := iface.(map[string]any); ok {
						delete(im, "ports")
					}
				}
			}
		}
		if len(domain) == 0 {
			delete(m, "domain")
		}
	}
	if vols, ok := m["volumes"].([]any); ok {
		var kept []any
		for _, v := range vols {
			vm, ok := v.(map[string]any)
			if !ok {
				kept = append(kept, v)
				continue
			}
			if _, ci := vm["cloudInitNoCloud"]; ci {
				if nc, ok := vm["cloudInitNoCloud"].(map[string]any); ok {
					delete(nc, "userData")
					delete(nc, "userDataBase64")
				}
				if scalarName, _ := vm["name"].(string); strings.HasPrefix(scalarName, cloudInitDisk) && len(vm) == 2 {
					if nc, _ := vm["cloudInitNoCloud"].(map[string]any); len(nc) == 0 {
						continue // a volume MergeInto may have added
					}
				}
			}
			if cd, ok := vm["cloudInitConfigDrive"].(map[string]any); ok {
				delete(cd, "userData")
				delete(cd, "userDataBase64")
			}
			kept = append(kept, v)
		}
		if len(kept) == 0 {
			delete(m, "volumes")
		} else {
			m["volumes"] = kept
		}
	}
	return obj
}
