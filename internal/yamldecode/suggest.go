package yamldecode

import "strings"

// Suggest returns the known name closest to name, or "" when none is close
// enough to be a plausible typo: the same name in another case, a prefix
// of four letters or more either way, or a few edits away.
func Suggest(name string, known []string) string {
	best, bestDist := "", 1<<30
	lower := strings.ToLower(name)
	for _, k := range known {
		dist := nameDistance(lower, k)
		if dist < bestDist || dist == bestDist && k < best {
			best, bestDist = k, dist
		}
	}
	limit := max(1, len(name)/4)
	if bestDist <= limit {
		return best
	}
	return ""
}

// nameDistance is how far a known name k is from lower (a name already in
// lower case): 0 for the same name in another case, 1 for a prefix of four
// letters or more either way, else the edit distance.
func nameDistance(lower, k string) int {
	kl := strings.ToLower(k)
	switch {
	case kl == lower:
		return 0
	case len(lower) >= 4 && (strings.HasPrefix(kl, lower) || strings.HasPrefix(lower, kl)):
		return 1
	default:
		return levenshtein(lower, kl)
	}
}

// levenshtein counts the single-character edits between a and b, with a
// transposition of neighbours counting as one (so "periodSceonds" is close).
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// CloseCandidates returns the names in known as close to name as Suggest
// allows, at the smallest distance found.
func CloseCandidates(name string, known []string) []string {
	lower := strings.ToLower(name)
	limit := max(1, len(name)/4)
	best := limit + 1
	var out []string
	for _, k := range known {
		dist := nameDistance(lower, k)
		switch {
		case dist < best:
			best, out = dist, []string{k}
		case dist == best:
			out = append(out, k)
		}
	}
	return out
}
