package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/vmhealth/vmhealth/internal/doctest"

	"github.com/vmhealth/vmhealth/gen"
	"github.com/vmhealth/vmhealth/validate"
)

// TestGenExplainDocs runs the examples in docs/gen.md and docs/explain.md
// and checks that the output shown is what the commands print, so the
// documentation cannot fall behind. The pages are written in a small
// convention:
//
//   - a fenced block whose info string is "yaml file=NAME" creates the file
//     NAME in the examples' working directory;
//   - in a "console" block, a line starting with "$ " is a command (a
//     trailing \ continues it on the next line), and the lines after it are
//     its standard output followed by its standard error, then "[exit N]"
//     when the status is not 0. Commands are vmhealth (run in-process with
//     the real rules) and cat, joined by | into pipelines.
//
// go test -update rewrites the output in the pages.
func TestGenExplainDocs(t *testing.T) {
	for _, page := range []string{"gen.md", "explain.md"} {
		t.Run(page, func(t *testing.T) {
			path, err := filepath.Abs(filepath.Join("..", "..", "docs", page))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			t.Chdir(dir)
			got := runDocExamples(t, string(doc), dir)
			if got == string(doc) {
				return
			}
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			t.Errorf("docs/%s shows output the commands do not print (go test -update rewrites it):\n%s", page, firstDifference(string(doc), got))
		})
	}
}

// runDocExamples returns the page with the output of each command replaced
// by what it prints now.
func runDocExamples(t *testing.T, doc, dir string) string {
	t.Helper()
	out, err := doctest.Rewrite(doc, func(b doctest.Block) (string, error) {
		switch {
		case len(b.Info) == 2 && strings.HasPrefix(b.Info[1], "file="):
			name := strings.TrimPrefix(b.Info[1], "file=")
			return b.Body, os.WriteFile(filepath.Join(dir, name), []byte(b.Body), 0o644)
		case len(b.Info) > 0 && b.Info[0] == "console":
			return runConsole(t, b.Lines(), dir), nil
		}
		return b.Body, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runConsole runs the commands of a console block and returns the block's
// new body.
func runConsole(t *testing.T, body []string, dir string) string {
	t.Helper()
	var out strings.Builder
	for i := 0; i < len(body); i++ {
		if !strings.HasPrefix(body[i], "$ ") {
			continue // old output, replaced below
		}
		cmdLines := []string{body[i]}
		for strings.HasSuffix(strings.TrimRight(body[i], "\n"), `\`) && i+1 < len(body) {
			i++
			cmdLines = append(cmdLines, body[i])
		}
		for _, l := range cmdLines {
			out.WriteString(l)
		}
		command := strings.TrimPrefix(strings.Join(cmdLines, ""), "$ ")
		command = strings.ReplaceAll(command, "\\\n", " ")
		out.WriteString(runPipeline(t, strings.TrimSpace(command), dir))
	}
	return out.String()
}

// runPipeline runs "vmhealth … | vmhealth …" in dir and returns what a
// terminal would show.
func runPipeline(t *testing.T, command, dir string) string {
	t.Helper()
	words, err := gen.SplitCommand(command)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	var stages [][]string
	cur := []string{}
	for _, w := range words {
		if w == "|" {
			stages = append(stages, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, w)
	}
	stages = append(stages, cur)

	var stdin []byte
	var shown strings.Builder
	code := 0
	for n, args := range stages {
		var stdout, stderr bytes.Buffer
		switch {
		case len(args) > 0 && args[0] == "vmhealth":
			ios, in, o, e := Test()
			in.Write(stdin)
			f := &Factory{IOStreams: ios, Getenv: func(string) string { return "" }, Registry: validate.DefaultRegistry,
				BuildInfo: func() (*debug.BuildInfo, bool) { return nil, false }}
			code = Run(context.Background(), f, args[1:])
			stdout, stderr = *o, *e
		case len(args) == 2 && args[0] == "cat":
			data, err := os.ReadFile(args[1])
			if err != nil {
				t.Fatalf("%s: %v", command, err)
			}
			stdout.Write(data)
		default:
			t.Fatalf("%s: only vmhealth and cat FILE run in the docs", command)
		}
		stdin = stdout.Bytes()
		shown.Write(stderr.Bytes())
		if n == len(stages)-1 {
			return stdout.String() + shown.String() + exitLine(code)
		}
	}
	return ""
}

func exitLine(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprintf("[exit %d]\n", code)
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  page:     %q\n  commands: %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("the page has %d lines, the commands give %d", len(al), len(bl))
}
