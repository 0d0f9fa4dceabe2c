package config_test

import (
	"fmt"

	"github.com/vmhealth/vmhealth/config"
)

func ExampleParse() {
	c, err := config.Parse(".vmhealth.yaml", []byte(`
failOn: warning
ignore: ["vendor/**"]
rules:
  template-parameter: {enabled: false}
  probe-host-set: {severity: error}
`), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.FailOn, c.Disabled(), c.SeverityOverrides(), c.Ignored("vendor/charts/vm.yaml"))

	_, err = config.Parse(".vmhealth.yaml", []byte("fialOn: warning\n"), nil)
	fmt.Println(err)
	// Output:
	// warning [template-parameter] map[probe-host-set:error] true
	// .vmhealth.yaml:1:1: unknown key "fialOn" (did you mean "failOn"?)
}
