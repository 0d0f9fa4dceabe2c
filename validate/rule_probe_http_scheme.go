package validate

import (
	"fmt"
	yaml "go.yaml.in/yaml/v3"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "probe-http-scheme",
	Fix:      &Fix{Apply: fixHTTPScheme},
	Severity: SeverityError,
	Category: CategoryAdmission,
	Summary:  "An httpGet scheme other than HTTP or HTTPS (the check is case-sensitive).",
	Description: `KubeVirt's CRD schema allows exactly ` + "`HTTP`" + ` and ` + "`HTTPS`" + ` as
` + "`httpGet.scheme`" + `, in capitals: ` + "`http`" + ` or ` + "`https`" + ` is rejected at
admission like any other value. Leaving the scheme out means ` + "`HTTP`" + `. With
` + "`HTTPS`" + ` the kubelet does not verify the guest's certificate.`,
	Remediation: "Write `scheme: HTTP` or `scheme: HTTPS` in capitals, or leave scheme out for HTTP.",
	Check: func(o *Object, _ Params) field.ErrorList {
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			if p.HTTPGet != nil && templated(o, string(p.HTTPGet.Scheme)) {
				return nil
			}
			errs := probespec.CheckHTTPScheme(p, path)
			for i, e := range errs {
				errs[i] = withDetail(e, httpSchemeMessage.Text(p.HTTPGet.Scheme))
			}
			return errs
		})
	},
	CEL: &CELRule{Validations: []CELValidation{CELFrom(httpSchemeMessage, CELValidation{
		Scope:      CELScopeProbe,
		Expression: "!has(probe.httpGet) || probe.httpGet.?scheme.orValue('') in ['', 'HTTP', 'HTTPS']",
		Field:      "httpGet.scheme",
	}, "probe.httpGet.scheme")}},
})

var httpSchemeMessage = Msg(Val("scheme %q", "the scheme"), " is not supported: must be HTTP or HTTPS, in capitals")

// fixHTTPScheme capitalises http and https; any other scheme is a guess.
func fixHTTPScheme(c *FixContext) (string, error) {
	v := c.Entry.Value()
	up := strings.ToUpper(v.Value)
	if c.Entry.Key().Value != "scheme" || v.Kind != yaml.ScalarNode || up != "HTTP" && up != "HTTPS" || up == v.Value {
		return "", ErrNoCertainFix
	}
	if err := c.File.SetScalar(v, up); err != nil {
		return "", err
	}
	return fmt.Sprintf("scheme %s → %s", v.Value, up), nil
}
