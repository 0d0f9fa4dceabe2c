package validate

import (
	"io"
	"strings"
	"testing"
)

func splitAll(t *testing.T, in string, max int64) []*chunk {
	t.Helper()
	sp := newSplitter(strings.NewReader(in), max)
	var out []*chunk
	for {
		c, err := sp.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

func TestSplitter(t *testing.T) {
	type doc struct {
		index, line int
		data        string
		tooLarge    bool
	}
	tests := []struct {
		name string
		in   string
		max  int64
		want []doc
	}{
		{name: "single", in: "a: 1\nb: 2\n", want: []doc{{0, 1, "a: 1\nb: 2\n", false}}},
		{name: "leading marker stays with its document", in: "---\na: 1\n", want: []doc{{0, 1, "---\na: 1\n", false}}},
		{name: "two documents", in: "a: 1\n---\nb: 2\n", want: []doc{{0, 1, "a: 1\n", false}, {1, 2, "---\nb: 2\n", false}}},
		{name: "comments before the first marker", in: "# head\n---\na: 1\n---\nb: 1", want: []doc{{0, 1, "# head\n---\na: 1\n", false}, {1, 4, "---\nb: 1", false}}},
		{name: "marker with content", in: "a: 1\n--- {b: 2}\n", want: []doc{{0, 1, "a: 1\n", false}, {1, 2, "--- {b: 2}\n", false}}},
		{name: "not a marker inside a line", in: "a: ---\nb: '---'\n", want: []doc{{0, 1, "a: ---\nb: '---'\n", false}}},
		{name: "explicit end", in: "a: 1\n...\n---\nb: 2\n", want: []doc{{0, 1, "a: 1\n", false}, {1, 3, "---\nb: 2\n", false}}},
		{name: "byte order mark", in: "\ufeffa: 1\n", want: []doc{{0, 1, "a: 1\n", false}}},
		{name: "CRLF markers", in: "a: 1\r\n---\r\nb: 2\r\n", want: []doc{{0, 1, "a: 1\r\n", false}, {1, 2, "---\r\nb: 2\r\n", false}}},
		{name: "too large", in: "a: 1\n---\nbig: xxxxxxxxxxxxxxxxxxxxxxxx\n---\nc: 3\n", max: 16,
			want: []doc{{0, 1, "a: 1\n", false}, {1, 2, "---\n", true}, {2, 4, "---\nc: 3\n", false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			max := tc.max
			if max == 0 {
				max = 1 << 20
			}
			got := splitAll(t, tc.in, max)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d chunks, want %d", len(got), len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.index != w.index || g.line != w.line || string(g.data) != w.data || g.tooLarge != w.tooLarge {
					t.Errorf("chunk %d = {%d %d %q %v}, want {%d %d %q %v}", i, g.index, g.line, g.data, g.tooLarge, w.index, w.line, w.data, w.tooLarge)
				}
			}
		})
	}
}

func TestSplitterLongLine(t *testing.T) {
	long := "a: " + strings.Repeat("x", 200<<10) + "\n---\nb: 1\n"
	got := splitAll(t, long, 1<<10)
	if len(got) != 2 || !got[0].tooLarge || got[1].tooLarge || string(got[1].data) != "---\nb: 1\n" {
		t.Fatalf("long line not capped: %d chunks", len(got))
	}
	if got[0].size != int64(len(long)-len("---\nb: 1\n")) {
		t.Errorf("size = %d", got[0].size)
	}
}

func TestIsBlank(t *testing.T) {
	for in, want := range map[string]bool{"": true, "# c\n\n---\n": true, "...\n": true, "a: 1": false, "--- a": false} {
		if got := isBlank([]byte(in)); got != want {
			t.Errorf("isBlank(%q) = %v", in, got)
		}
	}
}
