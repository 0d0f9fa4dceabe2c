package fastyaml

import (
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// Result says what Parse did with its input.
type Result int

const (
	// Unsupported means the input is outside what Parse reads; the node
	// is untouched and the caller should parse the input with go-yaml.
	Unsupported Result = iota
	// Parsed means the node holds the document, as go-yaml would build
	// it (without comments).
	Parsed
	// Empty means the input holds only blank lines and comments, for
	// which go-yaml's Decoder returns io.EOF; the node is untouched.
	Empty
)

// Parse parses data, one YAML document, into root, a DocumentNode, the
// way yaml.NewDecoder(bytes.NewReader(data)).Decode(root) does, or
// declines it. See the package documentation for what it reads.
func Parse(data []byte, root *yaml.Node) (res Result) {
	if !plainBytes(data) {
		return Unsupported
	}
	p := parser{src: string(data)}
	sc, _ := scratchPool.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	p.lines, p.kids = sc.lines[:0], sc.kids[:0]
	defer func() {
		clear(p.kids[:cap(p.kids)]) // let the nodes go
		sc.lines, sc.kids = p.lines, p.kids
		scratchPool.Put(sc)
	}()
	if !p.scan() {
		return Unsupported
	}
	defer func() {
		if r := recover(); r != nil {
			if r != errDecline {
				panic(r)
			}
			res = Unsupported
		}
	}()
	if !p.skip() {
		return Empty
	}
	docLine, docCol := p.i, p.lines[p.i].indent
	if ln := p.lines[p.i]; ln.indent == 0 && p.src[ln.start:ln.end] == "---" {
		docCol = 0
		p.i++
		if !p.skip() {
			p.decline() // "---" alone: a null document
		}
	}
	n := p.block(p.lines[p.i].indent)
	if p.skip() {
		p.decline() // content less indented than the first line
	}
	*root = yaml.Node{Kind: yaml.DocumentNode, Line: docLine + 1, Column: docCol + 1, Content: []*yaml.Node{n}}
	return Parsed
}

// plainBytes reports whether data holds only printable ASCII and line
// feeds, and ends in a line feed.
func plainBytes(data []byte) bool {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return false
	}
	for _, c := range data {
		if (c < 0x20 && c != '\n') || c >= 0x7f {
			return false
		}
	}
	return true
}

type lineKind uint8

const (
	blank lineKind = iota
	comment
	content
)

// line is one line of the input.
type line struct {
	start, end int // offsets of its text, without the line feed
	indent     int // leading spaces
	kind       lineKind
}

type parser struct {
	src   string
	lines []line
	i     int // the line being read
	depth int
	nodes []yaml.Node  // where nodes are allocated
	kids  []*yaml.Node // children of the collections being read
	ptrs  []*yaml.Node // where Content slices are allocated
}

// scratch is what a parse needs only while it runs, kept for the next.
type scratch struct {
	lines []line
	kids  []*yaml.Node
}

var scratchPool sync.Pool

type decline struct{}

var errDecline any = decline{}

// decline abandons the parse: the input is not one Parse reads.
func (p *parser) decline() { panic(errDecline) }

// scan cuts the input into lines. It declines document markers after the
// first line and directives.
func (p *parser) scan() bool {
	// est counts the lines that can hold nodes: not those inside a block
	// scalar, which is only guessed here (a line ending in | or |- opens
	// one). It sizes the node slab, which is all the allocation does.
	est, body := 0, -1
	if n := strings.Count(p.src, "\n"); cap(p.lines) < n {
		p.lines = make([]line, 0, n)
	}
	for start := 0; start < len(p.src); {
		end := start + strings.IndexByte(p.src[start:], '\n')
		j := start
		for j < end && p.src[j] == ' ' {
			j++
		}
		ln := line{start: start, end: end, indent: j - start, kind: content}
		switch {
		case j == end:
			ln.kind = blank
		case p.src[j] == '#':
			ln.kind = comment
		case j == start && (p.src[j] == '%' || marker(p.src[start:end])):
			if len(p.lines) > 0 || p.src[start:end] != "---" {
				return false
			}
		}
		if ln.kind == content && (body < 0 || ln.indent <= body) {
			body = -1
			est++
			if t := strings.TrimRight(p.src[j:end], " "); strings.HasSuffix(t, "|") || strings.HasSuffix(t, "|-") {
				body = ln.indent
			}
		}
		p.lines = append(p.lines, ln)
		start = end + 1
	}
	p.nodes = make([]yaml.Node, 0, 2*est+est/2+4)
	p.ptrs = make([]*yaml.Node, 0, 2*est+est/2+4)
	return true
}

// marker reports a line that opens with a document marker.
func marker(s string) bool {
	return (strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...")) && (len(s) == 3 || s[3] == ' ')
}

// skip moves to the next line with content, and reports whether there is one.
func (p *parser) skip() bool {
	for p.i < len(p.lines) && p.lines[p.i].kind != content {
		p.i++
	}
	return p.i < len(p.lines)
}

func (p *parser) node(kind yaml.Kind, tag string, li, off int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, 64)
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	n := &p.nodes[len(p.nodes)-1]
	n.Kind, n.Tag, n.Line, n.Column = kind, tag, li+1, off-p.lines[li].start+1
	return n
}

// children takes the children collected since mark as one Content slice.
func (p *parser) children(mark int) []*yaml.Node {
	k := p.kids[mark:]
	if len(k) == 0 {
		return nil
	}
	if cap(p.ptrs)-len(p.ptrs) < len(k) {
		p.ptrs = make([]*yaml.Node, 0, max(64, len(k)))
	}
	at := len(p.ptrs)
	p.ptrs = append(p.ptrs, k...)
	p.kids = p.kids[:mark]
	return p.ptrs[at:len(p.ptrs):len(p.ptrs)]
}

// enter and leave bound the nesting, as go-yaml does.
func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.decline()
	}
}

func (p *parser) leave() { p.depth-- }

// dash reports a block sequence entry at offset j of the current line.
func (p *parser) dash(j int) bool {
	end := p.lines[p.i].end
	return p.src[j] == '-' && (j+1 == end || p.src[j+1] == ' ')
}

// block reads the block collection whose first line is the current one,
// indented by ind.
func (p *parser) block(ind int) *yaml.Node {
	at := p.lines[p.i].start + ind
	if p.dash(at) {
		return p.seq(ind)
	}
	return p.mapping(ind, at)
}

// mapping reads a block mapping whose first key is at offset off of the
// current line and whose keys are indented by ind.
func (p *parser) mapping(ind, off int) *yaml.Node {
	p.enter()
	defer p.leave()
	m := p.node(yaml.MappingNode, tagMap, p.i, off)
	mark := len(p.kids)
	for {
		k, after := p.key(off)
		p.kids = append(p.kids, k)
		p.kids = append(p.kids, p.value(ind, after, true))
		if !p.skip() {
			break
		}
		ln := p.lines[p.i]
		if ln.indent < ind {
			break
		}
		off = ln.start + ind
		if ln.indent > ind || p.dash(off) {
			p.decline()
		}
	}
	m.Content = p.children(mark)
	return m
}

// seq reads a block sequence whose dashes are indented by ind.
func (p *parser) seq(ind int) *yaml.Node {
	p.enter()
	defer p.leave()
	s := p.node(yaml.SequenceNode, tagSeq, p.i, p.lines[p.i].start+ind)
	mark := len(p.kids)
	for {
		d := p.lines[p.i].start + ind
		p.kids = append(p.kids, p.item(ind, d))
		if !p.skip() {
			break
		}
		ln := p.lines[p.i]
		if ln.indent < ind {
			break
		}
		if ln.indent > ind {
			p.decline()
		}
		if !p.dash(ln.start + ind) {
			break // the next key of the mapping this sequence is the value of
		}
	}
	s.Content = p.children(mark)
	return s
}

// item reads the entry of a block sequence whose dash is at offset d.
func (p *parser) item(ind, d int) *yaml.Node {
	ln := p.lines[p.i]
	k := d + 1
	for k < ln.end && p.src[k] == ' ' {
		k++
	}
	switch {
	case k == ln.end:
		return p.value(ind, d+1, false)
	case p.src[k] == '#' || p.dash(k):
		p.decline()
	case p.isKey(k):
		return p.mapping(k-ln.start, k)
	}
	return p.inline(ind, k)
}

// value reads what follows a mapping's colon or a sequence's dash, which
// ends at offset off: a scalar on the same line, or a collection on the
// lines below, or nothing (a null). ind is the indentation of the
// collection the value belongs to; in a mapping, a sequence may be
// indented as much as the keys.
func (p *parser) value(ind, off int, inMap bool) *yaml.Node {
	ln := p.lines[p.i]
	j := off
	for j < ln.end && p.src[j] == ' ' {
		j++
	}
	if j < ln.end && p.src[j] != '#' {
		return p.inline(ind, j)
	}
	li := p.i
	p.i++
	if p.skip() {
		next := p.lines[p.i]
		if next.indent > ind || (inMap && next.indent == ind && p.dash(next.start+ind)) {
			return p.block(next.indent)
		}
	}
	return p.node(yaml.ScalarNode, tagNull, li, off)
}

// isKey reports whether a mapping key followed by a colon begins at
// offset k of the current line.
func (p *parser) isKey(k int) bool {
	end := p.lines[p.i].end
	switch p.src[k] {
	case '"', '\'':
		_, after, _, ok := quoted(p.src, k, end)
		return ok && after < end && p.src[after] == ':' && (after+1 == end || p.src[after+1] == ' ')
	}
	_, ok := plainKeyEnd(p.src[k:end])
	return ok
}

// plainKeyEnd finds the colon that ends a plain key at the start of s.
func plainKeyEnd(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return i, true
			}
		case '#':
			if i > 0 && s[i-1] == ' ' {
				return 0, false
			}
		}
	}
	return 0, false
}
