package validate

import (
	"fmt"

	"github.com/vmhealth/vmhealth/internal/yamldecode"
)

// missingFeatures explains fields that users copy from Pod specs or other
// tools but that KubeVirt does not have.
var missingFeatures = map[string]string{
	"startupProbe": "KubeVirt has no startupProbe; give the livenessProbe a longer initialDelaySeconds instead",
	"grpc":         "KubeVirt probes have no grpc handler; use tcpSocket on the gRPC port, or exec with a gRPC health client in the guest",
}

// unknownFieldMessage words an unknown-field issue: the decoder's own
// message (with its "did you mean"), or why KubeVirt lacks a field people
// copy from Pods.
func unknownFieldMessage(is yamldecode.Issue) string {
	why := missingFeatures[is.Name]
	if why == "" {
		return is.Message
	}
	where := is.Parent
	if where == "" {
		where = "the object"
	}
	return fmt.Sprintf("unknown field %q in %s: %s", is.Name, where, why)
}

// Suggest returns the known name closest to name, or "" when none is close
// enough to be a plausible typo. It is what unknown-field findings use, and
// the CLI uses it for rule IDs.
func Suggest(name string, known []string) string { return yamldecode.Suggest(name, known) }
