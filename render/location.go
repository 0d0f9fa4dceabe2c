package render

import "github.com/vmhealth/vmhealth/validate"

// The one reading of where a finding is, shared by every format that
// points at a place: a file a viewer can open (not standard input, nor a
// cluster object, which has no file), and a line and column when known.

// fileShown reports whether file is one a reader of the output can open:
// not standard input, and not "" (an object read from a cluster).
func fileShown(file string) bool { return file != "" && file != validate.StdinName }

// place is where a finding or an input error is, in a shown file.
type place struct {
	file string
	// line and col are 1-based; line is 0 when the position is unknown,
	// and col is then 0 too.
	line, col int
}

// placeOf returns the place of file:line:col, and false when the file is
// not one to show.
func placeOf(file string, line, col int) (place, bool) {
	if !fileShown(file) {
		return place{}, false
	}
	p := place{file: file}
	if line > 0 {
		p.line, p.col = line, max(col, 0)
	}
	return p, true
}

// objectName names the object a finding is in, with its place in a List
// or Template: "" for none.
func objectName(obj validate.ObjectRef) string {
	if obj.String() == "" {
		return ""
	}
	return obj.WithPath()
}
