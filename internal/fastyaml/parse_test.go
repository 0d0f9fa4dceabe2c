package fastyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/vmhealth/vmhealth/internal/benchcorpus"
)

// goYAML parses data as validate does with go-yaml: one node, and nothing
// after it. empty means go-yaml found no node at all.
func goYAML(data []byte) (root *yaml.Node, ok, empty bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	root = new(yaml.Node)
	if err := dec.Decode(root); err != nil {
		return nil, false, errors.Is(err, io.EOF)
	}
	var rest yaml.Node
	if err := dec.Decode(&rest); !errors.Is(err, io.EOF) {
		return nil, false, false
	}
	return root, true, false
}

// diff describes the first difference between two trees, comments aside.
func diff(path string, a, b *yaml.Node) string {
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value ||
		a.Anchor != b.Anchor || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) ||
		(a.Alias == nil) != (b.Alias == nil) {
		return fmt.Sprintf("%s: fastyaml kind %d style %d tag %s %q at %d:%d with %d children; go-yaml kind %d style %d tag %s %q at %d:%d with %d children",
			path, a.Kind, a.Style, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Style, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := diff(fmt.Sprintf("%s/%d", path, i), a.Content[i], b.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// check holds Parse to go-yaml on one document; it returns whether Parse
// accepted it.
func check(t *testing.T, name string, data []byte) bool {
	t.Helper()
	var got yaml.Node
	res := Parse(data, &got)
	want, ok, empty := goYAML(data)
	switch res {
	case Parsed:
		if !ok {
			t.Fatalf("%s: fastyaml accepted a document go-yaml rejects:\n%s", name, data)
		}
		if d := diff("", &got, want); d != "" {
			t.Fatalf("%s: %s\ninput:\n%s", name, d, data)
		}
		return true
	case Empty:
		if !empty {
			t.Fatalf("%s: fastyaml found no node, go-yaml did (ok %v):\n%s", name, ok, data)
		}
		return true
	default:
		if got.Kind != 0 || got.Content != nil {
			t.Fatalf("%s: declined, but the node was written", name)
		}
		return false
	}
}

// documents cuts a stream at its document markers, as validate's splitter
// does, each document with its own "---" line.
func documents(data []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			break
		}
		ln := data[i : i+j]
		if i > start && (string(ln) == "---" || bytes.HasPrefix(ln, []byte("--- "))) {
			out = append(out, data[start:i])
			start = i
		}
		i += j + 1
	}
	return append(out, data[start:])
}

// seeds returns every YAML document of the repository and of both
// benchmark corpora.
func seeds(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".cache" || d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, doc := range documents(data) {
			out[fmt.Sprintf("%s#%d", path, i)] = doc
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []benchcorpus.Corpus{{VMs: 200, Seed: 7, FaultEvery: 10}, {VMs: 200, Seed: 7, Messy: true}} {
		var b bytes.Buffer
		if err := c.WriteStream(&b); err != nil {
			t.Fatal(err)
		}
		for i, doc := range documents(b.Bytes()) {
			out[fmt.Sprintf("benchcorpus messy=%v #%d", c.Messy, i)] = doc
		}
	}
	return out
}

// TestAgreesOnSeeds parses every YAML document of the repository and the
// benchmark corpora both ways, and requires Parse to accept nearly all
// benchmark documents (it would be no faster otherwise) and most of the
// repository's.
func TestAgreesOnSeeds(t *testing.T) {
	var repo, repoOK, bench, benchOK int
	for name, doc := range seeds(t) {
		ok := check(t, name, doc)
		if strings.HasPrefix(name, "benchcorpus") {
			bench++
			if ok {
				benchOK++
			}
			continue
		}
		repo++
		if ok {
			repoOK++
		}
	}
	t.Logf("accepted %d of %d repository documents, %d of %d benchmark documents", repoOK, repo, benchOK, bench)
	if benchOK < bench*99/100 {
		t.Errorf("accepted only %d of %d benchmark documents", benchOK, bench)
	}
	if repoOK < repo*6/10 {
		t.Errorf("accepted only %d of %d repository documents", repoOK, repo)
	}
}

// mutate changes doc in one to three small ways: the mistakes people make
// and the spellings YAML treats specially.
func mutate(r *rand.Rand, doc []byte) []byte {
	words := []string{"yes", "no", "on", "off", "y", "n", "Yes", "NO", "~", "null", "Null", "true", "False",
		"0777", "08", "0o17", "0x1F", "0b101", "1_000", "+1", "-1", "1e3", "-.5", ".inf", "-.Inf", ".NaN", "1.",
		"2001-12-14", "2001-12-14t21:59:43.10-05:00", "1Gi", "10.0.2.2", "1:20", "-", "<<", "*a", "&a x", "!!str x",
		"'it''s'", `"a\"b"`, `"\u00e9"`, `"x\q"`, "[a, b]", "[a,]", "[]", "{}", "{a: b}", "| x", "|-", "|+", ">", "|2",
		"a: b", "a:b", "a #b", "a#b", "'a'b", `"a" b`, "@x", "%x", "`x", "? x", "- x", ": x", "x:", "0", "00", "-0",
		"123456789012345678901234567890", "3.14", "1e", "0x", "+", "."}
	insert := " :-#\"'|[]{},\n>&*!?~0a"
	out := append([]byte(nil), doc...)
	for range 1 + r.IntN(3) {
		lines := bytes.Split(out, []byte("\n"))
		li := r.IntN(len(lines))
		switch r.IntN(7) {
		case 0: // delete a byte
			if len(out) > 1 {
				i := r.IntN(len(out) - 1)
				out = append(out[:i:i], out[i+1:]...)
			}
		case 1: // insert a byte
			i := r.IntN(len(out))
			out = append(out[:i:i], append([]byte{insert[r.IntN(len(insert))]}, out[i:]...)...)
		case 2: // duplicate a line
			lines = append(lines[:li+1:li+1], lines[li:]...)
			out = bytes.Join(lines, []byte("\n"))
		case 3: // indent or dedent a line
			if r.IntN(2) == 0 {
				lines[li] = append([]byte(strings.Repeat(" ", 1+r.IntN(2))), lines[li]...)
			} else {
				lines[li] = bytes.TrimPrefix(lines[li], []byte(" "))
			}
			out = bytes.Join(lines, []byte("\n"))
		case 4: // replace a value with a special spelling
			if i := bytes.Index(lines[li], []byte(": ")); i >= 0 {
				lines[li] = append(lines[li][:i+2:i+2], words[r.IntN(len(words))]...)
			} else if i := bytes.Index(lines[li], []byte("- ")); i >= 0 {
				lines[li] = append(lines[li][:i+2:i+2], words[r.IntN(len(words))]...)
			}
			out = bytes.Join(lines, []byte("\n"))
		case 5: // replace a key
			if i := bytes.Index(lines[li], []byte(": ")); i >= 0 {
				ind := len(lines[li]) - len(bytes.TrimLeft(lines[li], " "))
				if ind < i {
					lines[li] = append(append(lines[li][:ind:ind], words[r.IntN(len(words))]...), lines[li][i:]...)
				}
			}
			out = bytes.Join(lines, []byte("\n"))
		case 6: // swap two lines
			lj := r.IntN(len(lines))
			lines[li], lines[lj] = lines[lj], lines[li]
			out = bytes.Join(lines, []byte("\n"))
		}
	}
	return out
}

// TestAgreesOnMutations holds Parse to go-yaml on mutations of the seeds;
// wherever Parse accepts one, go-yaml must accept it and build the same
// tree.
func TestAgreesOnMutations(t *testing.T) {
	n := 40000
	if testing.Short() {
		n = 5000
	}
	s := seeds(t)
	names := make([]string, 0, len(s))
	for name := range s {
		names = append(names, name)
	}
	// Map order is random; sort for a reproducible run.
	slices.Sort(names)
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for i := range n {
		name := names[r.IntN(len(names))]
		if check(t, fmt.Sprintf("mutation %d of %s", i, name), mutate(r, s[name])) {
			accepted++
		}
	}
	t.Logf("accepted %d of %d mutations", accepted, n)
	if accepted < n/5 {
		t.Errorf("accepted only %d of %d mutations: the test checks too little", accepted, n)
	}
}

// TestResolveAgrees compares the tags of plain scalars with go-yaml's.
func TestResolveAgrees(t *testing.T) {
	for _, w := range []string{"yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "No", "On", "Off", "YES", "NO",
		"~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
		"0", "00", "-0", "+0", "0777", "08", "09.5", "0o17", "0x1F", "0X1F", "0b101", "-0b101", "1_000", "+1", "-1",
		"1e3", "1E3", "-.5", ".5", "5.", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "-.nan", "2001-12-14",
		"2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "1Gi", "10.0.2.2", "1:20", "1:20:30",
		"123456789012345678", "1234567890123456789", "12345678901234567890", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "3.14", "1e", "0x", "+", ".", "-.", "abc", "http://x", "a b"} {
		want, ok, _ := goYAML([]byte("k: " + w + "\n"))
		if !ok {
			continue
		}
		tag, fine := resolve(w)
		if !fine {
			continue // left to go-yaml
		}
		if got := want.Content[0].Content[1].Tag; tag != got {
			t.Errorf("%q: resolve says %s, go-yaml %s", w, tag, got)
		}
	}
}

// FuzzParse holds Parse to go-yaml on any input: go test -fuzz FuzzParse ./internal/fastyaml/
func FuzzParse(f *testing.F) {
	for _, doc := range seeds(f) {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, "fuzz input", data)
	})
}
