package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/apply"
)

// setTargets takes apply's arguments as kubectl takes names: NAME or
// TYPE/NAME, all of one kind (the TYPE sets --kind when --kind is not
// given), added to --vm's; and expands the directories among -f's files.
func (o *ApplyOptions) setTargets(cmd *cobra.Command, args []string, kind *string) error {
	if len(args) > 0 && (o.Selector != "" || len(o.Filenames.Filenames) > 0) {
		return usageErrorf(cmd, "names (%s) cannot be used with -l or -f, which choose the objects already", strings.Join(args, " "))
	}
	var typed *apply.Kind
	for _, a := range args {
		name := a
		if typ, n, ok := strings.Cut(a, "/"); ok {
			k, err := apply.ParseKind(typ)
			if err != nil {
				return usageErrorf(cmd, "%s: %v", a, err)
			}
			if !k.Writable {
				return usageErrorf(cmd, "%s: a %s cannot be changed in place; apply to the VirtualMachine that creates it", a, k.Kind)
			}
			if typed != nil && typed.GroupKind != k.GroupKind {
				return usageErrorf(cmd, "%s: the names of one run are of one kind, and %s is a %s", a, args[0], typed.Kind)
			}
			if cmd.Flags().Changed(flagKind) {
				if fk, err := apply.ParseKind(*kind); err == nil && fk.GroupKind != k.GroupKind {
					return usageErrorf(cmd, "%s is a %s, but --%s says %s", a, k.Kind, flagKind, *kind)
				}
			}
			typed, name = &k, n
			*kind = typ
		}
		if name == "" {
			return usageErrorf(cmd, "%q: empty name", a)
		}
		o.VMs = append(o.VMs, name)
	}
	if len(o.Filenames.Filenames) > 0 {
		files, err := manifestFiles(o.Filenames.paths(nil), o.Filenames.shallow(nil))
		if err != nil {
			return err
		}
		o.Files = files
	}
	return nil
}
