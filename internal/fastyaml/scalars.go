package fastyaml

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// key reads the mapping key at offset off of the current line and returns
// it with the offset just after its colon.
func (p *parser) key(off int) (*yaml.Node, int) {
	ln := p.lines[p.i]
	var (
		val   string
		after int
		ok    bool
		style yaml.Style
		tag   = tagStr
	)
	switch p.src[off] {
	case '"', '\'':
		val, after, style, ok = quoted(p.src, off, ln.end)
	default:
		var n int
		n, ok = plainKeyEnd(p.src[off:ln.end])
		val, after = p.src[off:off+n], off+n
		if ok {
			ok = n > 0 && !indicator(val[0]) && val[n-1] != ' '
		}
		if ok {
			tag, ok = resolve(val)
		}
	}
	if !ok || after >= ln.end || p.src[after] != ':' || (after+1 < ln.end && p.src[after+1] != ' ') || after-off > maxKey {
		p.decline()
	}
	k := p.node(yaml.ScalarNode, tag, p.i, off)
	k.Value, k.Style = val, style
	return k, after + 1
}

// inline reads a value that begins at offset j of the current line: a
// scalar, a one-line flow collection, or a literal block scalar, whose
// lines follow. ind is the indentation of the collection it belongs to.
func (p *parser) inline(ind, j int) *yaml.Node {
	ln := p.lines[p.i]
	switch p.src[j] {
	case '"', '\'':
		n, after := p.quotedNode(j)
		p.endLine(after)
		return n
	case '|':
		return p.literal(ind, j)
	case '[':
		return p.flowSeq(j)
	case '{':
		if !strings.HasPrefix(p.src[j:ln.end], "{}") {
			p.decline()
		}
		n := p.node(yaml.MappingNode, tagMap, p.i, j)
		n.Style = yaml.FlowStyle
		p.endLine(j + 2)
		return n
	}
	end := ln.end
	if h := strings.Index(p.src[j:end], " #"); h >= 0 {
		end = j + h
	}
	for p.src[end-1] == ' ' {
		end--
	}
	val := p.src[j:end]
	if (indicator(val[0]) && !(val[0] == '-' && len(val) > 1 && val[1] != ' ')) ||
		strings.Contains(val, ": ") || val[len(val)-1] == ':' {
		p.decline()
	}
	tag, ok := resolve(val)
	if !ok {
		p.decline()
	}
	n := p.node(yaml.ScalarNode, tag, p.i, j)
	n.Value = val
	p.i++
	return n
}

// quotedNode reads the quoted scalar that opens at offset j of the
// current line and closes on it, and returns it with the offset after
// the closing quote.
func (p *parser) quotedNode(j int) (*yaml.Node, int) {
	val, after, style, ok := quoted(p.src, j, p.lines[p.i].end)
	if !ok {
		p.decline()
	}
	n := p.node(yaml.ScalarNode, tagStr, p.i, j)
	n.Value, n.Style = val, style
	return n, after
}

// endLine checks that nothing but spaces and a comment follows offset k of
// the current line, and moves to the next line.
func (p *parser) endLine(k int) {
	ln := p.lines[p.i]
	j := k
	for j < ln.end && p.src[j] == ' ' {
		j++
	}
	if j < ln.end && (p.src[j] != '#' || j == k) {
		p.decline()
	}
	p.i++
}

// literal reads a literal block scalar (| or |-) whose indicator is at
// offset j of the current line, for a collection indented by ind.
func (p *parser) literal(ind, j int) *yaml.Node {
	ln := p.lines[p.i]
	k, strip := j+1, false
	if k < ln.end && p.src[k] == '-' {
		k, strip = k+1, true
	}
	for k < ln.end && p.src[k] == ' ' {
		k++
	}
	if k != ln.end {
		p.decline() // an indentation indicator, "+", or a comment
	}
	n := p.node(yaml.ScalarNode, tagStr, p.i, j)
	n.Style = yaml.LiteralStyle
	first := p.i + 1
	if first >= len(p.lines) || p.lines[first].kind == blank || p.lines[first].indent <= ind {
		p.decline() // leading empty lines, or an empty scalar
	}
	m := p.lines[first].indent
	last, size := first, 0
	for i := first; i < len(p.lines); i++ {
		l := p.lines[i]
		if l.kind == blank {
			if l.end-l.start > m {
				p.decline() // spaces beyond the indentation: content
			}
			continue
		}
		if l.indent < m {
			break
		}
		last = i
	}
	for i := first; i <= last; i++ {
		if l := p.lines[i]; l.kind != blank {
			size += l.end - l.start - m
		}
		size++
	}
	var b strings.Builder
	b.Grow(size)
	for i := first; i <= last; i++ {
		if l := p.lines[i]; l.kind != blank {
			b.WriteString(p.src[l.start+m : l.end])
		}
		b.WriteByte('\n')
	}
	n.Value = b.String()
	if strip {
		n.Value = n.Value[:len(n.Value)-1]
	}
	p.i = last + 1
	return n
}

// flowSeq reads a flow sequence of scalars that opens at offset j and
// closes on the same line.
func (p *parser) flowSeq(j int) *yaml.Node {
	ln := p.lines[p.i]
	s := p.node(yaml.SequenceNode, tagSeq, p.i, j)
	s.Style = yaml.FlowStyle
	mark := len(p.kids)
	k := j + 1
	skip := func() {
		for k < ln.end && p.src[k] == ' ' {
			k++
		}
	}
	skip()
	if k < ln.end && p.src[k] == ']' {
		p.endLine(k + 1)
		return s
	}
	for {
		skip()
		if k >= ln.end {
			p.decline()
		}
		var n *yaml.Node
		switch p.src[k] {
		case '"', '\'':
			n, k = p.quotedNode(k)
		default:
			e := k
			for e < ln.end && strings.IndexByte(",]#:[{}", p.src[e]) < 0 {
				e++
			}
			t := e
			for t > k && p.src[t-1] == ' ' {
				t--
			}
			val := p.src[k:t]
			if val == "" || indicator(val[0]) {
				p.decline()
			}
			tag, ok := resolve(val)
			if !ok {
				p.decline()
			}
			n = p.node(yaml.ScalarNode, tag, p.i, k)
			n.Value = val
			k = e
		}
		p.kids = append(p.kids, n)
		skip()
		if k >= ln.end {
			p.decline()
		}
		if p.src[k] == ']' {
			break
		}
		if p.src[k] != ',' {
			p.decline()
		}
		k++
		skip()
		if k < ln.end && p.src[k] == ']' {
			p.decline() // a trailing comma; leave it to go-yaml
		}
	}
	s.Content = p.children(mark)
	p.endLine(k + 1)
	return s
}
