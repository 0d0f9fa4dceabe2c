package validate

import (
	"encoding/base64"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// userData is one inline cloud-init user data of a VM, read the way
// cloud-init reads it.
type userData struct {
	// path is the userData (or userDataBase64) field.
	path *field.Path
	// text is the decoded user data.
	text string
	// config is the parsed #cloud-config mapping, nil for other formats.
	config *yaml.Node
	// invalid says why cloud-init ignores all of it; "" when it does not.
	invalid string
	// invalidLine is the 1-based line of the user data that invalid is
	// about.
	invalidLine int
}

// userDataOf returns the inline user data of o's cloudInitNoCloud and
// cloudInitConfigDrive volumes. User data in a Secret cannot be read and
// is not returned.
func userDataOf(o *Object) []userData {
	if !o.userDataRead {
		o.userData, o.userDataRead = readUserData(o), true
	}
	return o.userData
}

// readUserData does userDataOf's work once.
func readUserData(o *Object) []userData {
	if o.Spec == nil {
		return nil
	}
	var out []userData
	vols := o.SpecPath.Child("volumes")
	for i, vol := range o.Spec.Volumes {
		var plain, b64, src string
		switch {
		case vol.CloudInitNoCloud != nil:
			plain, b64, src = vol.CloudInitNoCloud.UserData, vol.CloudInitNoCloud.UserDataBase64, "cloudInitNoCloud"
		case vol.CloudInitConfigDrive != nil:
			plain, b64, src = vol.CloudInitConfigDrive.UserData, vol.CloudInitConfigDrive.UserDataBase64, "cloudInitConfigDrive"
		default:
			continue
		}
		ud := userData{path: vols.Index(i).Child(src, "userData"), text: plain}
		if plain == "" && b64 != "" {
			ud.path = vols.Index(i).Child(src, "userDataBase64")
			data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
			if err != nil {
				continue // not ours to judge: KubeVirt rejects bad base64
			}
			ud.text = string(data)
		}
		if ud.text == "" {
			continue
		}
		ud.parse()
		out = append(out, ud)
	}
	return out
}

// parse classifies the user data by its first line, as cloud-init does.
// Only #cloud-config is parsed further; scripts, includes, boothooks,
// jinja templates and MIME multipart are taken as they are.
func (u *userData) parse() {
	first, _, _ := strings.Cut(u.text, "\n")
	first = strings.TrimRight(first, "\r \t")
	switch {
	case strings.HasPrefix(first, "#cloud-config-archive"), strings.HasPrefix(first, "#!"),
		strings.HasPrefix(first, "#include"), strings.HasPrefix(first, "#cloud-boothook"),
		strings.HasPrefix(first, "#part-handler"), strings.HasPrefix(first, "## template:"),
		strings.HasPrefix(strings.ToLower(first), "content-type:"), strings.HasPrefix(strings.ToLower(first), "mime-version:"):
		return
	case strings.HasPrefix(first, "#cloud-config"):
	default:
		u.invalid = fmt.Sprintf("the user data does not start with #cloud-config (or #! for a script), so cloud-init ignores all of it; its first line is %q", first)
		u.invalidLine = 1
		return
	}
	var root yaml.Node
	if err := parseDocument([]byte(u.text), &root); err != nil {
		line, _, msg := parseErrorPosition(err, []byte(u.text))
		u.invalid = "the #cloud-config is not valid YAML, so cloud-init ignores all of it: " + strings.TrimPrefix(msg, "YAML syntax error: ")
		u.invalidLine = line
		return
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.DocumentNode {
		return // only comments: nothing to do, nothing wrong
	}
	if doc.Kind != yaml.MappingNode {
		u.invalid = "the #cloud-config is not a YAML mapping of modules, so cloud-init ignores all of it"
		u.invalidLine = doc.Line
		return
	}
	u.config = doc
}

// setsUp reports whether the user data really does something with word
// (qemu-guest-agent, watchdog): a #cloud-config that lists it in packages,
// names it in a runcmd or bootcmd command, or writes a file whose path or
// content names it; a script or other format that names it outside a
// comment line. Invalid user data sets up nothing.
func (u *userData) setsUp(word string) bool {
	if u.invalid != "" {
		return false
	}
	if u.config == nil {
		for _, line := range strings.Split(u.text, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") && containsFold(t, word) {
				return true
			}
		}
		return false
	}
	for _, key := range []string{"packages", "runcmd", "bootcmd"} {
		if nodeMentions(resolve(lookup(u.config, key)), word) {
			return true
		}
	}
	if files := resolve(lookup(u.config, "write_files")); files != nil && files.Kind == yaml.SequenceNode {
		for _, f := range files.Content {
			if nodeMentions(resolve(lookup(f, "path")), word) || nodeMentions(resolve(lookup(f, "content")), word) {
				return true
			}
		}
	}
	return false
}

// writesFile returns the content of the write_files entry for path, and
// whether there is one; runcmd lines that edit the file count as writing
// it, with their text as content.
func (u *userData) writesFile(path string) (string, bool) {
	if u.config == nil {
		if u.invalid == "" && strings.Contains(u.text, path) {
			return u.text, true
		}
		return "", false
	}
	if files := resolve(lookup(u.config, "write_files")); files != nil && files.Kind == yaml.SequenceNode {
		for _, f := range files.Content {
			if scalarAt(f, "path") == path {
				return scalarAt(f, "content"), true
			}
		}
	}
	for _, key := range []string{"runcmd", "bootcmd"} {
		var text strings.Builder
		collectScalars(resolve(lookup(u.config, key)), &text)
		if strings.Contains(text.String(), path) {
			return text.String(), true
		}
	}
	return "", false
}

// nodeMentions reports whether a scalar in n contains word. Comments are
// not scalars, so a comment that names the package does not count.
func nodeMentions(n *yaml.Node, word string) bool {
	var b strings.Builder
	collectScalars(n, &b)
	return containsFold(b.String(), word)
}

func collectScalars(n *yaml.Node, b *strings.Builder) {
	n = resolve(n)
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode {
		b.WriteString(n.Value)
		b.WriteByte('\n')
		return
	}
	for _, c := range n.Content {
		collectScalars(c, b)
	}
}

// UserDataSetsUp reports whether some inline cloud-init user data of the
// object really sets up word (qemu-guest-agent, watchdog): a #cloud-config
// that installs it, runs it or writes a file naming it, or a script that
// names it outside a comment. Invalid user data, which cloud-init ignores,
// sets up nothing. It is what the watchdog-guest-setup and guest-exec
// rules read, so that explain says what lint does.
func (o *Object) UserDataSetsUp(word string) bool { return userDataSetsUp(o, word) }

// userDataSetsUp reports whether some inline user data of o really sets
// up word (see userData.setsUp).
func userDataSetsUp(o *Object, word string) bool {
	for _, u := range userDataOf(o) {
		if u.setsUp(word) {
			return true
		}
	}
	return false
}
