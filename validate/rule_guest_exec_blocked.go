package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	v1 "kubevirt.io/api/core/v1"

	"github.com/vmhealth/vmhealth/probespec"
)

var _ = mustRegister(&Rule{
	ID:       "guest-exec-blocked",
	Fix:      &Fix{None: "the RPC filter lives in the guest image or its user data, which the user must choose how to change"},
	Severity: SeverityWarning,
	Category: CategoryRuntime,
	Summary:  "An exec probe on a RHEL-family guest, whose qemu-guest-agent blocks guest-exec unless /etc/sysconfig/qemu-ga allows it.",
	Description: `KubeVirt runs an ` + "`exec`" + ` probe through qemu-guest-agent's ` + "`guest-exec`" + ` call. On
RHEL, CentOS (Stream), Rocky, AlmaLinux, Oracle Linux and Fedora the agent
reads an RPC filter from ` + "`/etc/sysconfig/qemu-ga`" + ` (` + "`FILTER_RPC_ARGS`" + `), a block
list that includes ` + "`guest-exec`" + ` by default, so the probe fails every time until
the file allows it. (` + "`guestAgentPing`" + ` uses ` + "`guest-ping`" + `, which is allowed.)

vmhealth tells a RHEL-family guest by, in this order: a label or
annotation naming the OS (` + "`os.template.kubevirt.io/rhel9.4`" + `, ` + "`vm.kubevirt.io/os`" + `,
` + "`kubevirt.io/os`" + `, flavor or workload labels, template names), the VM's
preference or instancetype name, and the image of a containerDisk or the
URL, registry image or source PVC name of a DataVolume. The probe is not
reported when inline cloud-init user data writes or edits
` + "`/etc/sysconfig/qemu-ga`" + ` and does not leave ` + "`guest-exec`" + ` on its block list.`,
	Remediation: "Allow guest-exec in the guest: remove guest-exec from FILTER_RPC_ARGS (or the --allow-rpcs/--block-rpcs list) in /etc/sysconfig/qemu-ga and restart qemu-guest-agent, from cloud-init or the image; or probe with guestAgentPing, httpGet or tcpSocket.",
	Check: func(o *Object, _ Params) field.ErrorList {
		if o.Spec == nil {
			return nil
		}
		signal := rhelSignal(o)
		if signal == "" || guestExecAllowed(o) {
			return nil
		}
		return forEachProbe(o, func(p *v1.Probe, path *field.Path, _ bool) field.ErrorList {
			if !hasOneHandler(p) || p.Exec == nil {
				return nil
			}
			return field.ErrorList{field.Invalid(path.Child(probespec.HandlerExec), field.OmitValueType{},
				fmt.Sprintf("the guest looks RHEL-family (%s), whose qemu-guest-agent blocks guest-exec in /etc/sysconfig/qemu-ga by default: this exec probe fails until the user data allows it", signal))}
		})
	},
})

// rhelFamily are the words that name a RHEL-family OS in labels, image
// names and preferences.
var rhelFamily = []string{"rhel", "centos", "fedora", "rocky", "almalinux", "alma-linux", "oraclelinux", "oracle-linux"}

func namesRHEL(s string) bool {
	s = strings.ToLower(s)
	for _, w := range rhelFamily {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// rhelSignal returns what makes o look like a RHEL-family guest, or "".
func rhelSignal(o *Object) string {
	for _, m := range objectMetas(o) {
		for _, kind := range []struct {
			what string
			kv   map[string]string
		}{{"label", m.Labels}, {"annotation", m.Annotations}} {
			for _, k := range slices.Sorted(maps.Keys(kind.kv)) {
				if notAboutTheGuest(k) || strings.HasPrefix(k, "vmhealth.io/") {
					continue
				}
				v := kind.kv[k]
				osKey := strings.HasPrefix(k, "os.template.kubevirt.io/") || strings.HasSuffix(k, "/os") ||
					strings.HasPrefix(k, "vm.kubevirt.io/template") || strings.HasPrefix(k, "flavor.template.kubevirt.io/")
				if strings.HasPrefix(k, "os.template.kubevirt.io/") && namesRHEL(k) || osKey && namesRHEL(v) {
					return fmt.Sprintf("%s %s: %q", kind.what, k, v)
				}
			}
		}
	}
	if vm := vmSpecOf(o); vm != nil {
		if vm.Preference != nil && namesRHEL(vm.Preference.Name) {
			return fmt.Sprintf("preference %q", vm.Preference.Name)
		}
		for _, dv := range vm.DataVolumeTemplates {
			if s := dv.Spec.Source; s != nil {
				switch {
				case s.Registry != nil && s.Registry.URL != nil && namesRHEL(*s.Registry.URL):
					return fmt.Sprintf("DataVolume image %q", *s.Registry.URL)
				case s.HTTP != nil && namesRHEL(s.HTTP.URL):
					return fmt.Sprintf("DataVolume URL %q", s.HTTP.URL)
				case s.PVC != nil && namesRHEL(s.PVC.Name):
					return fmt.Sprintf("DataVolume source PVC %q", s.PVC.Name)
				}
			}
			if sr := dv.Spec.SourceRef; sr != nil && namesRHEL(sr.Name) {
				return fmt.Sprintf("DataVolume source %q", sr.Name)
			}
		}
	}
	for _, vol := range o.Spec.Volumes {
		if vol.ContainerDisk != nil && namesRHEL(vol.ContainerDisk.Image) {
			return fmt.Sprintf("containerDisk image %q", vol.ContainerDisk.Image)
		}
	}
	return ""
}

// guestExecAllowed reports whether inline user data writes or edits
// /etc/sysconfig/qemu-ga without leaving guest-exec blocked.
func guestExecAllowed(o *Object) bool {
	for _, u := range userDataOf(o) {
		content, ok := u.writesFile("/etc/sysconfig/qemu-ga")
		if !ok {
			continue
		}
		for _, line := range strings.Split(content, "\n") {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, "FILTER_RPC_ARGS") && strings.Contains(t, "guest-exec") && !strings.Contains(t, "allow") {
				return false
			}
		}
		return true
	}
	return false
}
