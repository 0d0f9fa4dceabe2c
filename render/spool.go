package render

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// spool holds output that must wait for a header only known at the end
// (JUnit's totals) outside the heap: in a temporary file, removed when the
// spool is closed, or in memory when no temporary file can be made. The
// first error sticks and is returned by every later call.
type spool struct {
	f    *os.File
	bw   *bufio.Writer
	mem  bytes.Buffer
	size int64
	err  error
}

func newSpool() *spool {
	s := &spool{}
	if f, err := os.CreateTemp("", "vmhealth-spool-"); err == nil {
		s.f = f
		s.bw = bufio.NewWriterSize(f, 1<<16)
		// Unlinked at once where the system allows, so nothing is left
		// behind if the process is killed.
		if os.Remove(f.Name()) == nil {
			s.f = f
		}
	}
	return s
}

// spoolRange is where something was written: bytes [start, end).
type spoolRange struct{ start, end int64 }

// append writes parts one after another and returns where they are.
func (s *spool) append(parts ...[]byte) spoolRange {
	r := spoolRange{start: s.size}
	for _, b := range parts {
		if s.err != nil {
			break
		}
		if s.bw != nil {
			_, s.err = s.bw.Write(b)
		} else {
			s.mem.Write(b)
		}
		s.size += int64(len(b))
	}
	r.end = s.size
	return r
}

// fail records err unless an error came first.
func (s *spool) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// read returns the bytes of r.
func (s *spool) read(r spoolRange) ([]byte, error) {
	var b bytes.Buffer
	err := s.copyRange(&b, r.start, r.end)
	return b.Bytes(), err
}

// copyRange copies bytes [start, end) of the spool to w.
func (s *spool) copyRange(w io.Writer, start, end int64) error {
	if s.err != nil {
		return s.err
	}
	if s.bw == nil {
		_, err := w.Write(s.mem.Bytes()[start:end])
		return err
	}
	if err := s.bw.Flush(); err != nil {
		s.err = err
		return err
	}
	_, err := io.Copy(w, io.NewSectionReader(s.f, start, end-start))
	return err
}

// close removes the temporary file.
func (s *spool) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name) // already gone where it could be unlinked while open
	}
}
