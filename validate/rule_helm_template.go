package validate

// HelmTemplateRuleID reports a Helm template linted as if it were a
// manifest.
const HelmTemplateRuleID = "helm-template"

var _ = mustRegister(&Rule{
	ID:       HelmTemplateRuleID,
	Fix:      &Fix{None: "the manifest exists only once the chart is rendered with its values"},
	Severity: SeverityError,
	Category: CategoryInput,
	Summary:  "A Helm template file, not a manifest: lint the chart directory, which vmhealth renders.",
	Description: `A file of a chart's templates/ directory is Go template text: ` + "`{{ .Values.port }}`" + `,
` + "`{{- include \"web.labels\" . }}`" + `, ` + "`{{- if .Values.enabled }}`" + `. Read as YAML it is either not
YAML at all or YAML whose values are template actions, so every rule would
report noise (yaml-syntax on the first action, invalid-type on every
number) about text that is not what the cluster receives. vmhealth reports
the file once, at its first template action, and lints nothing else in it.

Lint the chart directory instead (the one with Chart.yaml, named in the
message when vmhealth finds it above the file): vmhealth renders it in
process, as helm template would, with --values and --set, and points each
finding at the template line it came from. OpenShift Template parameters
(` + "`${{REPLICAS}}`" + `) and actions in comments are not Helm templates. A
manifest that really holds Go template text in a value (an annotation
another tool expands) is taken for a template too; the file has no object
to annotate, so turn the rule off for it with --disable helm-template or in
the configuration file.`,
	Remediation: "Lint the chart directory (vmhealth lint path/to/chart, with --values or --set as you deploy it), or pipe helm template's output to vmhealth lint -.",
	CEL:         &CELRule{NoCEL: "A property of the input file: an unrendered template never reaches the API server."},
})
