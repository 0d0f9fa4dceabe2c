package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/internal/kube"
	"github.com/vmhealth/vmhealth/internal/yamlpos"
	"github.com/vmhealth/vmhealth/render"
	"github.com/vmhealth/vmhealth/validate"
)

// reportApply prints, object by object in the order given, the diff (with
// --diff), lint's findings and any failure; then a table of outcomes, a
// count, and what the user still has to do (restarts).
func reportApply(opts *ApplyOptions, red *kube.Redactor, results []apply.Result) error {
	stdout, stderr := opts.IO.Out, opts.IO.ErrOut
	findings, err := render.New("text", stdout, render.Options{
		Color: opts.ColorAllowed, Quiet: true, Registry: opts.Registry,
	})
	if err != nil {
		return err
	}
	for _, r := range results {
		if opts.Diff {
			if d := r.Diff(); d != "" {
				fmt.Fprint(stdout, d+"\n")
			}
		}
		for _, f := range r.Findings {
			if f.Severity == validate.SeverityInfo && opts.Verbose == 0 {
				continue
			}
			if err := findings.Write(f); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		}
		if r.Err != nil {
			fmt.Fprintf(stderr, "vmhealth: %s: %s\n", r.Target, red.Redact(r.Err.Error()))
			if h := errorHint(r.Err); h != "" {
				fmt.Fprintf(stderr, "  %s\n", h)
			}
		}
		if r.RestartErr != nil {
			fmt.Fprintf(stderr, "vmhealth: %s: %s\n", r.Target, red.Redact(r.RestartErr.Error()))
		}
	}

	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAMESPACE\tNAME\tRESULT\tDETAIL")
	var applied, unchanged, failed, restartFailed int
	var restart, newOnly []apply.Result
	for _, r := range results {
		status, detail := string(r.Status), ""
		switch r.Status {
		case apply.StatusApplied:
			applied++
			if r.DryRun != apply.DryRunNone {
				status = "would apply"
			}
			detail = strings.Join(changedFields(r), ", ")
		case apply.StatusUnchanged:
			unchanged++
		case apply.StatusFailed:
			failed++
			detail = errorReason(r.Err)
		}
		switch {
		case r.Restarted:
			detail += "; restarted"
		case r.RestartErr != nil:
			restartFailed++
			detail += "; restart failed"
		case r.RestartRequired:
			detail += "; restart required"
			restart = append(restart, r)
		case r.NewInstancesOnly:
			newOnly = append(newOnly, r)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Kind.Kind, r.Namespace, r.Name, status, detail)
	}
	tw.Flush()
	for _, l := range strings.SplitAfter(table.String(), "\n") {
		// An empty last column would leave trailing blanks.
		if _, err := io.WriteString(stdout, strings.TrimRight(l, " \n")+strings.Repeat("\n", strings.Count(l, "\n"))); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
	}

	verb := "applied"
	suffix := ""
	switch opts.DryRun {
	case apply.DryRunClient:
		verb, suffix = "would apply", " (client dry run: nothing was sent)"
	case apply.DryRunServer:
		verb, suffix = "would apply", " (server dry run: nothing was stored)"
	}
	restarts := ""
	if restartFailed > 0 {
		restarts = ", " + pluralVerb(restartFailed, "restart", "restarts") + " failed"
	}
	fmt.Fprintf(stdout, "\n%s: %d %s, %d unchanged, %d failed%s%s\n",
		plural(len(results), "object"), applied, verb, unchanged, failed, restarts, suffix)

	if len(restart) > 0 {
		names := make([]string, len(restart))
		for i, r := range restart {
			names[i] = r.Namespace + "/" + r.Name
		}
		fmt.Fprintf(stdout, "\nNote: %s running, so the guest gets the new health checks only after a restart "+
			"(KubeVirt marks the VM RestartRequired): %s.\nvmhealth restarted nothing. Restart when convenient with "+
			"'virtctl restart NAME -n NAMESPACE', or run vmhealth apply again with --%s.\n",
			pluralVerb(len(restart), "VM is", "VMs are"), strings.Join(names, ", "), flagRestart)
	}
	if len(newOnly) > 0 {
		fmt.Fprintf(stdout, "\nNote: %s: VMIs that already run keep their old health checks until they are replaced.\n",
			pluralVerb(len(newOnly), "a ReplicaSet or pool changed", "ReplicaSets or pools changed"))
	}
	if failed > 0 || restartFailed > 0 {
		return errApplyFailed
	}
	return nil
}

// changedFields names the health checks that differ before and after.
func changedFields(r apply.Result) []string {
	var out []string
	for _, k := range []string{apply.ReadinessProbe, apply.LivenessProbe} {
		if !jsonEq(r.Before[k], r.After[k]) {
			out = append(out, k)
		}
	}
	for k := range r.After {
		if strings.HasSuffix(k, "Probe") && k != apply.ReadinessProbe && k != apply.LivenessProbe && !jsonEq(r.Before[k], r.After[k]) {
			out = append(out, k)
		}
	}
	if !jsonEq(watchdog(r.Before), watchdog(r.After)) {
		out = append(out, "watchdog")
	}
	return out
}

func watchdog(spec map[string]any) any {
	w, _ := yamlpos.GetValue(spec, apply.WatchdogPath)
	return w
}

func jsonEq(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func stanzaJSON(s *apply.Stanza) string {
	b, err := json.Marshal(s.Spec())
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(b)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func pluralVerb(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
