package validate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// chunk is the raw text of one YAML document of a stream.
type chunk struct {
	// index is the 0-based position of the document in its file.
	index int
	// line is the 1-based line of the file on which the chunk's text starts.
	line int
	data []byte
	// tooLarge is set when the document was longer than the size cap; data
	// then holds only its beginning.
	tooLarge bool
	// size is the document's full size in bytes.
	size int64
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// splitter cuts a YAML stream into documents at "---" and "..." markers, so
// that every document is parsed once, on its own, possibly in parallel, and
// a broken document cannot hide the ones after it. YAML only allows document
// markers at the start of a line, outside any block scalar's indentation, so a
// line scan finds them exactly.
type splitter struct {
	r        *bufio.Reader
	maxBytes int64
	line     int // lines consumed so far
	index    int
	pending  []byte // a directive or marker line that belongs to the next chunk
	started  bool
	done     bool
	// lastSize is the size of the previous document, the guess for the
	// next one's buffer: documents of a stream tend to be alike.
	lastSize int
}

// readers recycles the splitters' read buffers: a directory of ten thousand
// small files would otherwise allocate a fresh 64 KiB buffer for each.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

func newSplitter(r io.Reader, maxBytes int64) *splitter {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	return &splitter{r: br, maxBytes: maxBytes}
}

// release returns the read buffer for reuse; the splitter is done.
func (s *splitter) release() {
	if s.r != nil {
		s.r.Reset(nil)
		readers.Put(s.r)
		s.r = nil
	}
}

// readLine returns one line including its newline, however long, without
// keeping more than keep bytes of it. The line is valid until the next read.
func (s *splitter) readLine(keep int64) (line []byte, full int64, err error) {
	frag, err := s.r.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		// The common case: the whole line is in the read buffer.
		full = int64(len(frag))
		if full > keep {
			frag = frag[:keep]
		}
		return frag, full, err
	}
	line = append(line, frag[:min(int64(len(frag)), keep)]...)
	full = int64(len(frag))
	for {
		frag, err := s.r.ReadSlice('\n')
		full += int64(len(frag))
		if room := keep - int64(len(line)); room > 0 {
			if int64(len(frag)) > room {
				line = append(line, frag[:room]...)
			} else {
				line = append(line, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, full, err
	}
}

func isMarker(line []byte, marker string) bool {
	if !bytes.HasPrefix(line, []byte(marker)) {
		return false
	}
	rest := line[len(marker):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'
}

// next returns the next document, or io.EOF. Empty documents (only
// whitespace and comments) are returned too: the caller skips them.
func (s *splitter) next() (*chunk, error) {
	if s.done {
		return nil, io.EOF
	}
	c := &chunk{index: s.index, line: s.line + 1}
	var buf bytes.Buffer
	buf.Grow(min(max(s.lastSize+s.lastSize/8, 512), int(min(s.maxBytes, 1<<20))))
	if s.pending != nil {
		c.line-- // the marker line was counted when it was read
		buf.Write(s.pending)
		c.size += int64(len(s.pending))
		s.pending = nil
	}
	for {
		room := s.maxBytes - int64(buf.Len())
		if room < 0 {
			room = 0
		}
		line, full, err := s.readLine(max(room, 4))
		if len(line) > 0 || full > 0 {
			truncated := full > int64(len(line))
			if s.line == 0 && !s.started {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			s.started = true
			if isMarker(line, "---") && (c.tooLarge || buf.Len() > 0 && !onlyDirectives(buf.Bytes())) {
				// A new document starts here: keep its marker line for it.
				s.pending = append([]byte(nil), line...)
				s.line++
				s.index++
				return s.finish(c, &buf), nil
			}
			s.line++
			c.size += full
			if isMarker(line, "...") {
				// An explicit end: what follows until the next marker is a
				// new document (usually only comments).
				s.index++
				return s.finish(c, &buf), nil
			}
			if int64(buf.Len())+int64(len(line)) > s.maxBytes || truncated {
				c.tooLarge = true
			}
			if !c.tooLarge {
				buf.Write(line)
			}
		}
		if err == io.EOF {
			s.done = true
			return s.finish(c, &buf), nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", s.line+1, err)
		}
	}
}

func (s *splitter) finish(c *chunk, buf *bytes.Buffer) *chunk {
	c.data = buf.Bytes()
	s.lastSize = len(c.data)
	return c
}

// onlyDirectives reports whether b holds nothing but %-directives, blank
// lines and comments, which belong to the document the next marker opens.
func onlyDirectives(b []byte) bool {
	return allLines(b, func(t []byte) bool { return len(t) == 0 || t[0] == '%' || t[0] == '#' })
}

// isBlank reports whether a chunk has no content but comments and markers.
func isBlank(b []byte) bool {
	return allLines(b, func(t []byte) bool {
		return len(t) == 0 || t[0] == '#' || t[0] == '%' ||
			isMarker(t, "---") && len(bytes.TrimSpace(t[3:])) == 0 || isMarker(t, "...")
	})
}

// allLines reports whether ok holds for every line of b, trimmed of spaces.
func allLines(b []byte, ok func(trimmed []byte) bool) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if !ok(bytes.TrimSpace(line)) {
			return false
		}
	}
	return true
}
