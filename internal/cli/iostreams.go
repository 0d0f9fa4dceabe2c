package cli

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-colorable"
	"github.com/mattn/go-isatty"
)

// IOStreams are the standard streams of one command run, with what the
// commands need to know about them: whether a person is at the other end.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY  bool
	outTTY bool
}

// System returns the process's own streams.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY: isTerminal(os.Stdin), outTTY: isTerminal(os.Stdout)}
	if s.outTTY {
		// Turns ANSI sequences into console calls on old Windows consoles;
		// elsewhere it returns os.Stdout itself.
		s.Out = colorable.NewColorable(os.Stdout)
	}
	return s
}

// Test returns streams backed by buffers, none of them a terminal, and the
// buffers: stdin to fill, stdout and stderr to read.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether standard input is a terminal, that is, whether
// nothing was piped in.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// SetStdinTTY lets tests pretend standard input is, or is not, a terminal.
func (s *IOStreams) SetStdinTTY(v bool) { s.inTTY = v }

// SetStdoutTTY lets tests pretend standard output is, or is not, a terminal.
func (s *IOStreams) SetStdoutTTY(v bool) { s.outTTY = v }

func isTerminal(f *os.File) bool {
	fd := f.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}
