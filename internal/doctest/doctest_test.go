package doctest

import (
	"errors"
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	doc := "# Title\n\n```yaml file=vm.yaml\nkind: VM\n```\n\ntext\n\n```console\n$ echo hi\nold\n```\n```\nbare\n```\n"
	var seen []string
	got, err := Rewrite(doc, func(b Block) (string, error) {
		seen = append(seen, strings.Join(b.Info, " ")+"@"+string(rune('0'+b.Line)))
		if b.Info[0] == "console" {
			return "$ echo hi\nhi\n", nil
		}
		return b.Body, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, "old\n", "hi\n", 1)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Join(seen, ",") != "yaml file=vm.yaml@3,console@9" {
		t.Errorf("blocks seen: %v", seen)
	}
}

func TestRewriteErrors(t *testing.T) {
	if _, err := Rewrite("```yaml\nno end\n", func(b Block) (string, error) { return b.Body, nil }); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("unterminated block: %v", err)
	}
	boom := errors.New("boom")
	if _, err := Rewrite("```console\n$ x\n```\n", func(Block) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("error from fn: %v", err)
	}
}
