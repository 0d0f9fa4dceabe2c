package baseline

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/vmhealth/vmhealth/validate"
)

// FingerprintVersion names the fingerprint scheme. It is part of every
// fingerprint's input, so a change of scheme can never match an old
// fingerprint by accident; a baseline written with another scheme is
// refused with a message saying to rewrite it.
const FingerprintVersion = "v1"

// Fingerprinter computes the fingerprints of one run's findings. A
// fingerprint identifies a finding by what it is about, never by where it
// is: the rule, the file (relative to a root), the object's kind, namespace,
// name and place in its document, and the field path. Line and column are
// left out, so editing a file elsewhere does not make an accepted finding
// new; the message is used only for findings without a field path (a YAML
// syntax error, a document that is too large), with digits blanked because
// such messages quote line numbers.
//
// Two findings with the same identity are told apart by their order: the
// n-th one in the run gets occurrence n. Findings must therefore be given in
// output order, which Linter.Lint guarantees. A Fingerprinter is not safe
// for concurrent use.
type Fingerprinter struct {
	root string
	// seen counts the occurrences of each identity, by its hash: a run
	// with many findings keeps 16 bytes a finding, not the identity.
	seen map[[16]byte]int
	// lastFile and lastPath keep Path's answer for the file asked last:
	// findings come file by file, and making a path absolute asks the
	// kernel for the working directory.
	lastFile, lastPath string
}

// NewFingerprinter returns a Fingerprinter whose file paths are made
// relative to root (usually the directory of the baseline file), so the
// same tree gives the same fingerprints whichever directory vmhealth runs
// in and however the inputs are spelt (./a.yaml, a.yaml, /abs/a.yaml).
// An empty root leaves relative paths as given and cleans them.
func NewFingerprinter(root string) *Fingerprinter {
	if root != "" {
		if abs, err := filepath.Abs(root); err == nil {
			root = abs
		}
	}
	return &Fingerprinter{root: root, seen: map[[16]byte]int{}}
}

// Fingerprint returns the finding's fingerprint: 32 hexadecimal digits.
// Each call counts an occurrence, so call it once a finding.
func (fp *Fingerprinter) Fingerprint(f validate.Finding) string {
	id := identity(fp.Path(f.File), f)
	key := sha256.Sum256([]byte(id))
	n := fp.seen[[16]byte(key[:16])]
	fp.seen[[16]byte(key[:16])] = n + 1
	sum := sha256.Sum256([]byte(id + "\x00" + strconv.Itoa(n)))
	return hex.EncodeToString(sum[:16])
}

// Path returns file as it is recorded: relative to the root with forward
// slashes. Standard input ("-") and cluster objects ("") are kept as they
// are, as is a path that cannot be made relative.
func (fp *Fingerprinter) Path(file string) string {
	if file == "" || file == validate.StdinName {
		return file
	}
	if file == fp.lastFile && fp.lastPath != "" {
		return fp.lastPath
	}
	fp.lastFile, fp.lastPath = file, fp.path(file)
	return fp.lastPath
}

// path does Path's work.
func (fp *Fingerprinter) path(file string) string {
	if fp.root != "" {
		if abs, err := filepath.Abs(file); err == nil {
			if rel, err := filepath.Rel(fp.root, abs); err == nil {
				file = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(file))
}

// identity joins what a fingerprint is made of, each part ended by a NUL
// so that no two different identities join to the same string.
func identity(file string, f validate.Finding) string {
	msg := ""
	if f.Field == "" {
		msg = normaliseMessage(f.Message)
	}
	parts := []string{FingerprintVersion, f.RuleID, file,
		f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Object.Path, f.Field, msg}
	return strings.Join(parts, "\x00")
}

// normaliseMessage blanks digits and folds runs of white space, so a message
// that quotes a line number ("first at line 12") or is re-wrapped stays the
// same.
func normaliseMessage(s string) string {
	var b strings.Builder
	space, digit := false, false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space, digit = true, false
		case unicode.IsDigit(r):
			if !digit {
				b.WriteByte('#')
			}
			space, digit = false, true
		default:
			b.WriteRune(r)
			space, digit = false, false
		}
	}
	return b.String()
}
