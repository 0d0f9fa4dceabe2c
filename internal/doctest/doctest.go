// Package doctest runs the examples of the project's Markdown pages: it
// walks the fenced code blocks of a page, hands each to the test, and puts
// the page back together with the bodies the test returns, so that a test
// can compare the page with what the commands print now (and rewrite it
// with -update).
package doctest

import (
	"fmt"
	"strings"
)

// Block is one fenced code block of a page.
type Block struct {
	// Info is the fence's info string split into words: ```yaml file=vm.yaml
	// gives ["yaml", "file=vm.yaml"].
	Info []string
	// Body is the text between the fences, each line with its newline.
	Body string
	// Line is the 1-based line of the opening fence.
	Line int
}

// Rewrite returns doc with the body of every fenced block replaced by what
// fn returns for it; everything outside the blocks is kept as it is.
func Rewrite(doc string, fn func(Block) (string, error)) (string, error) {
	lines := strings.SplitAfter(doc, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		out.WriteString(lines[i])
		fence := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(fence, "```") || fence == "```" {
			// Not a fence, or a bare one: every block of these pages names
			// its language, so a bare fence and what follows it are text.
			continue
		}
		j := i + 1
		var body strings.Builder
		for ; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			body.WriteString(lines[j])
		}
		if j == len(lines) {
			return "", fmt.Errorf("unterminated code block at line %d", i+1)
		}
		got, err := fn(Block{Info: strings.Fields(strings.TrimPrefix(fence, "```")), Body: body.String(), Line: i + 1})
		if err != nil {
			return "", fmt.Errorf("code block at line %d: %w", i+1, err)
		}
		out.WriteString(got)
		out.WriteString(lines[j])
		i = j
	}
	return out.String(), nil
}

// Lines returns the body's lines, each with its newline.
func (b Block) Lines() []string {
	lines := strings.SplitAfter(b.Body, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
