package gen

import (
	"errors"
	"strings"
)

// SplitCommand splits a command line into words the way a POSIX shell
// does, without expanding anything: blanks separate words, 'single quotes'
// keep everything literally, "double quotes" keep everything but a
// backslash before ", \, $ or `, and a backslash outside quotes keeps the
// next character. An empty line gives no words.
func SplitCommand(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inTok bool // cur holds a word, possibly empty (from '')
	)
	flush := func() {
		if inTok {
			words = append(words, cur.String())
			cur.Reset()
			inTok = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '\'':
			inTok = true
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inTok = true
			closed := false
			for i++; i < len(s); i++ {
				c := s[i]
				if c == '"' {
					closed = true
					break
				}
				if c == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
					c = s[i]
				}
				cur.WriteByte(c)
			}
			if !closed {
				return nil, errors.New("unterminated double quote")
			}
		case c == '\\':
			inTok = true
			if i+1 == len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			cur.WriteByte(s[i])
		default:
			inTok = true
			cur.WriteByte(c)
		}
	}
	flush()
	return words, nil
}

// JoinCommand writes words as a command line that SplitCommand splits
// back into the same words, quoting only the words that need it.
func JoinCommand(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteWord(w)
	}
	return strings.Join(quoted, " ")
}

// quoteWord quotes w for SplitCommand when it is empty or holds a character
// that SplitCommand treats specially.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\n'\"\\") {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
