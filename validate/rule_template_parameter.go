package validate

// TemplateParameterRuleID notes a ${PARAMETER} that cannot be checked.
const TemplateParameterRuleID = "template-parameter"

var _ = mustRegister(&Rule{
	ID:       TemplateParameterRuleID,
	Fix:      &Fix{None: "the parameter's value is set when the Template is processed, not in this file"},
	Severity: SeverityInfo,
	Category: CategoryInput,
	Summary:  "An OpenShift Template parameter stands where a number or boolean belongs; its value is not checked.",
	Description: `OpenShift Templates write ` + "`${PARAM}`" + ` or ` + "`${{PARAM}}`" + ` for values that are
filled in when the template is processed. Where such a placeholder stands
for a number or a boolean, vmhealth cannot check the value and says so
instead of calling it a type error. Lint the output of
` + "`oc process`" + ` to check the real values.`,
	Remediation: "Lint the processed template (oc process … | vmhealth lint -) to check the real value.",
})
