package validate

import (
	"encoding/base64"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/internal/kubevirtkinds"
	"github.com/vmhealth/vmhealth/probespec"
)

// probeFunc checks one probe; path is the probe's own path and liveness
// tells the livenessProbe from the readinessProbe.
type probeFunc func(p *v1.Probe, path *field.Path, liveness bool) field.ErrorList

// forEachProbe runs fn on the readiness and then the liveness probe of o,
// those that are set, and collects what it reports.
func forEachProbe(o *Object, fn probeFunc) field.ErrorList {
	if o.Spec == nil {
		return nil
	}
	var errs field.ErrorList
	if p := o.Spec.ReadinessProbe; p != nil {
		errs = append(errs, fn(p, o.SpecPath.Child("readinessProbe"), false)...)
	}
	if p := o.Spec.LivenessProbe; p != nil {
		errs = append(errs, fn(p, o.SpecPath.Child("livenessProbe"), true)...)
	}
	return errs
}

// watchdogOf returns o's watchdog device and its path, or nil when it has
// none.
func watchdogOf(o *Object) (*v1.Watchdog, *field.Path) {
	if o.Spec == nil || o.Spec.Domain.Devices.Watchdog == nil {
		return nil, nil
	}
	return o.Spec.Domain.Devices.Watchdog, o.SpecPath.Child(kubevirtkinds.WatchdogPath[0], kubevirtkinds.WatchdogPath[1:]...)
}

// writtenValue reports whether the field at path (as field.Path prints it)
// is written with a value: `port:` alone (YAML null) means the same as
// leaving the key out, to the API server as to the Go types.
func writtenValue(o *Object, path string) bool {
	n := resolve(lookup(o.Node, path))
	return n != nil && !(n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// writtenZero reports whether the field at path is written as the integer
// 0 (or, when str is true, also as the empty string), which the typed
// object cannot tell from a missing field. A value of the wrong type also
// decodes as zero; it is invalid-type's finding, not a zero.
func writtenZero(o *Object, path string, str bool) bool {
	n := resolve(lookup(o.Node, path))
	if n == nil || n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Tag {
	case "!!int":
		v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		return err == nil && v == 0
	case "!!str":
		return str && n.Value == ""
	}
	return false
}

// withDetail returns e as an Invalid error on the same field with detail as
// its message. It rewords the errors of probespec whose rendering would
// start with a capital ("Unsupported value: …") or say too little.
func withDetail(e *field.Error, detail string) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Field: e.Field, BadValue: e.BadValue, Detail: detail}
}

// userDataMentions reports whether the cloud-init user data that o carries
// inline (cloudInitNoCloud or cloudInitConfigDrive, plain or base64)
// contains word, in any case, as a sign that the guest is set up for
// something. User data in a Secret cannot be read and does not count.
func userDataMentions(o *Object, word string) bool {
	if o.Spec == nil {
		return false
	}
	for _, vol := range o.Spec.Volumes {
		var plain, b64 string
		switch {
		case vol.CloudInitNoCloud != nil:
			plain, b64 = vol.CloudInitNoCloud.UserData, vol.CloudInitNoCloud.UserDataBase64
		case vol.CloudInitConfigDrive != nil:
			plain, b64 = vol.CloudInitConfigDrive.UserData, vol.CloudInitConfigDrive.UserDataBase64
		default:
			continue
		}
		if containsFold(plain, word) {
			return true
		}
		if data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64)); err == nil && containsFold(string(data), word) {
			return true
		}
	}
	return false
}

// hasOneHandler reports whether p has exactly one handler. Advice about a
// probe's timing or its handler's needs waits until the probe is valid, so
// a broken probe gets one finding, not several.
func hasOneHandler(p *v1.Probe) bool { return len(probespec.Handlers(p)) == 1 }

// probePort is the port of a probe's httpGet or tcpSocket handler.
type probePort struct {
	path *field.Path // the port field itself
	port intstr.IntOrString
}

// probePorts returns the ports of p's httpGet and tcpSocket handlers; path
// is the probe's path.
func probePorts(p *v1.Probe, path *field.Path) []probePort {
	var out []probePort
	if p.HTTPGet != nil {
		out = append(out, probePort{path.Child(probespec.HandlerHTTPGet, "port"), p.HTTPGet.Port})
	}
	if p.TCPSocket != nil {
		out = append(out, probePort{path.Child(probespec.HandlerTCPSocket, "port"), p.TCPSocket.Port})
	}
	return out
}

// containsFold reports whether s contains sub in any case (ASCII letters
// at sub's start are matched by byte first, the rest by strings.EqualFold).
func containsFold(s, sub string) bool {
	if sub == "" || strings.Contains(s, sub) {
		return true
	}
	lo, up := sub[0], sub[0]
	switch {
	case 'a' <= lo && lo <= 'z':
		up = lo - 'a' + 'A'
	case 'A' <= lo && lo <= 'Z':
		lo = up - 'A' + 'a'
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if (s[i] == lo || s[i] == up) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// templated reports whether o belongs to an OpenShift Template and the
// value s holds a ${PARAMETER}: its real value is known only after the
// template is processed, so rules leave it alone.
func templated(o *Object, s string) bool {
	return o.InTemplate && strings.Contains(s, "${")
}

// templatedUnder reports whether any value at or under path holds a
// template parameter; the decoder leaves such numbers at zero.
func templatedUnder(o *Object, path string) bool {
	if !o.InTemplate {
		return false
	}
	var walk func(n *yaml.Node, depth int) bool
	walk = func(n *yaml.Node, depth int) bool {
		if n == nil || depth > 32 {
			return false
		}
		if n.Kind == yaml.ScalarNode {
			return strings.Contains(n.Value, "${")
		}
		for _, c := range n.Content {
			if walk(resolve(c), depth+1) {
				return true
			}
		}
		return false
	}
	return walk(resolve(lookup(o.Node, path)), 0)
}

// templatedTiming reports whether one of the named fields of the probe at
// path holds a template parameter.
func templatedTiming(o *Object, path *field.Path, names ...string) bool {
	for _, name := range names {
		if templatedUnder(o, path.Child(name).String()) {
			return true
		}
	}
	return false
}
