package gen

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/yamledit"
)

// mergeCloudInit adds the guest side to the object's cloud-init volume, or
// adds a cloudInitNoCloud volume.
func (s *Stanza) mergeCloudInit(o *fileObject, st yamledit.Style, res *IntoResult) error {
	volumes := getPath(o.root(), append(slices.Clone(o.specPath), "volumes"))
	names := map[string]bool{}
	if volumes != nil && volumes.Kind == yaml.SequenceNode {
		for i, vol := range volumes.Content {
			volName := scalar(getKey(vol, "name"))
			names[volName] = true
			for _, kind := range []string{"cloudInitNoCloud", "cloudInitConfigDrive"} {
				ci := getKey(vol, kind)
				if ci == nil {
					continue
				}
				base := append(slices.Clone(o.specPath), "volumes", i, kind)
				if ref := getKey(ci, "secretRef"); ref != nil {
					return fmt.Errorf("the cloud-init user data of volume %q is in Secret %q, which vmhealth cannot edit: add the output of vmhealth gen --cloud-init to it",
						volName, scalar(getKey(ref, "name")))
				}
				key, encoded := "userData", false
				current := scalar(getKey(ci, "userData"))
				if b64 := getKey(ci, "userDataBase64"); b64 != nil {
					raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(scalar(b64)))
					if err != nil {
						return fmt.Errorf("volume %q: userDataBase64 is not base64: %w", volName, err)
					}
					key, encoded, current = "userDataBase64", true, string(raw)
				}
				merged, err := s.CloudInit.MergeUserData(current)
				if errors.Is(err, ErrNotCloudConfig) {
					return fmt.Errorf("volume %q: the user data is not cloud-config (a shell script?), so vmhealth cannot add to it: add the output of vmhealth gen --cloud-init by hand", volName)
				}
				if err != nil {
					return fmt.Errorf("volume %q: %w", volName, err)
				}
				value := literal(merged)
				if encoded {
					value = strNode(base64.StdEncoding.EncodeToString([]byte(merged)))
				}
				replaced, err := o.set(append(base, key), value, st)
				if err != nil {
					return err
				}
				what := "added cloud-config with the guest side of the health checks"
				if replaced {
					what = "merged the guest side of the health checks into the cloud-config"
				}
				res.Changes = append(res.Changes, pathString(append(base, key))+": "+what)
				return nil
			}
		}
	}
	name := cloudInitDisk
	for i := 2; names[name]; i++ {
		name = fmt.Sprintf("%s%d", cloudInitDisk, i)
	}
	userData, err := s.CloudInit.Marshal()
	if err != nil {
		return err
	}
	path := append(slices.Clone(o.specPath), "volumes")
	vol := mapNode("name", strNode(name), "cloudInitNoCloud", mapNode("userData", literal(string(userData))))
	if err := o.appendToList(path, vol, st); err != nil {
		return err
	}
	res.Changes = append(res.Changes, fmt.Sprintf("%s: added the cloudInitNoCloud volume %q with the guest side of the health checks (KubeVirt attaches it as a disk of the same name)", pathString(path), name))
	return nil
}
