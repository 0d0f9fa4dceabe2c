package deps

import (
	_ "github.com/fatih/color"
	_ "github.com/go-playground/validator/v10"
	_ "github.com/spf13/cobra"
	_ "k8s.io/apimachinery/pkg/util/validation/field"
	_ "k8s.io/client-go/dynamic"
	_ "kubevirt.io/api/core/v1"
	_ "sigs.k8s.io/json"
	_ "sigs.k8s.io/yaml"
	_ "sigs.k8s.io/yaml/goyaml.v3"
)
