package cli

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/vmhealth/vmhealth/baseline"
	"github.com/vmhealth/vmhealth/validate"
)

// ciRun applies to one lint run, finding by finding, what the baseline
// decides: findings the baseline holds are marked suppressed (kind
// baseline), so they are still reported (JSON, SARIF) but do not fail the
// run. It keeps the counts to correct the run's summary. (Ignored paths are
// never read: see skipPath.)
type ciRun struct {
	opts *ciOptions
	base *baseline.Baseline
	rec  *baseline.Recorder
	// accepted counts, by severity, the findings suppressed here.
	accepted map[validate.Severity]int
}

// skipPath is the linter's SkipPath: the configuration's ignore globs.
func (o *linterConfig) skipPath() func(string) bool {
	if o.Config == nil || len(o.Config.Ignore) == 0 {
		return nil
	}
	return o.Config.Ignored
}

// startCI opens the baseline, if any, for a run. An unreadable baseline is
// reported on stderr and ends the run (exit 2).
func startCI(o *ciOptions, stderr io.Writer) (*ciRun, error) {
	c := &ciRun{opts: o, accepted: map[validate.Severity]int{}}
	if o.Baseline != "" {
		b, err := baseline.Load(o.Baseline)
		if err != nil {
			fmt.Fprintf(stderr, "vmhealth: %v\n", err)
			return nil, errSilent
		}
		c.base = b
	}
	if o.BaselineWrite != "" {
		c.rec = baseline.NewRecorder(o.BaselineWrite)
	}
	return c, nil
}

// keep reports whether f is to be reported, marking it suppressed when a
// baseline accepts it. Call it once a finding, in output order.
func (c *ciRun) keep(f *validate.Finding) bool {
	if c.rec != nil {
		c.rec.Add(*f)
	}
	if c.base != nil && c.base.Apply(f) {
		c.accepted[f.Severity]++
	}
	if c.rec != nil && f.Suppressed == nil {
		// The run that writes a baseline accepts what it writes.
		f.Suppressed = &validate.Suppression{Kind: baseline.SuppressionKind, Justification: "recorded in baseline " + filepath.ToSlash(c.opts.BaselineWrite)}
		c.accepted[f.Severity]++
	}
	return true
}

// baseDir is the directory SARIF paths are relative to: the configuration
// file's, which is usually the repository root, else the working directory.
func (o *linterConfig) baseDir() string {
	if o.Config != nil {
		return o.Config.Dir
	}
	return ""
}

// adjust corrects the summary for what keep did.
func (c *ciRun) adjust(sum *validate.Summary) {
	for sev, n := range c.accepted {
		sum.Findings[sev.String()] -= n
		sum.Suppressed += n
	}
}

// finish writes the new baseline, and says on stderr what the baseline
// did, since the findings it accepts are hidden from text output.
func (c *ciRun) finish(stderr io.Writer) error {
	if c.base != nil {
		if n := c.base.Unmatched(); n > 0 {
			fmt.Fprintf(stderr, "vmhealth: %d of the %d findings in %s are no longer found; run with --%s %s to drop them\n",
				n, c.base.Len(), c.opts.Baseline, flagBaselineWrite, c.opts.Baseline)
		}
	}
	if c.rec != nil {
		if err := c.rec.Write(); err != nil {
			return err
		}
		word := "findings"
		if c.rec.Len() == 1 {
			word = "finding"
		}
		fmt.Fprintf(stderr, "vmhealth: recorded %d %s in %s\n", c.rec.Len(), word, c.opts.BaselineWrite)
	}
	return nil
}
