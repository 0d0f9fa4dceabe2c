package cli

import (
	"bytes"
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/vmhealth/vmhealth/sources"
	"github.com/vmhealth/vmhealth/validate"
)

const (
	flagValues      = "values"
	flagSet         = "set"
	flagReleaseName = "release-name"
	flagKubeVersion = "kube-version"
)

// sourceOptions are the flags that change what a Helm chart renders to
// (helm template's own names); --namespace is the cluster flag's.
type sourceOptions struct {
	Values      []string
	Set         []string
	ReleaseName string
	KubeVersion string
}

func addSourceFlags(cmd *cobra.Command, o *sourceOptions) {
	fl := cmd.Flags()
	fl.StringArrayVar(&o.Values, flagValues, nil, "for a Helm chart: a values file, merged in order (repeatable)")
	fl.StringArrayVar(&o.Set, flagSet, nil, "for a Helm chart: set a value, key=value as helm's --set (repeatable)")
	fl.StringVar(&o.ReleaseName, flagReleaseName, "release-name", "for a Helm chart: .Release.Name")
	fl.StringVar(&o.KubeVersion, flagKubeVersion, "", "for a Helm chart: .Capabilities.KubeVersion (such as 1.33)")
	// Values files complete as files, as helm's do; the free-form values
	// complete nothing rather than the directory's files.
	_ = cmd.MarkFlagFilename(flagValues, "yaml", "yml")
	for _, name := range []string{flagSet, flagReleaseName, flagKubeVersion} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
}

// renderedInput is a chart or kustomization named on the command line.
type renderedInput struct {
	arg  string
	kind sources.Kind
}

// splitInputs takes the charts and kustomizations out of the inputs; the
// rest are linted as files.
func splitInputs(inputs []string) (plain []string, rendered []renderedInput) {
	for _, in := range inputs {
		if in == validate.StdinName {
			plain = append(plain, in)
			continue
		}
		if k := sources.Detect(in); k != sources.Plain {
			rendered = append(rendered, renderedInput{in, k})
			continue
		}
		plain = append(plain, in)
	}
	return plain, rendered
}

// lintRendered renders one chart or kustomization and lints its documents,
// with each finding moved to the template, resource or patch line it came
// from. A chart or overlay that does not render is an input error at the
// file and line the renderer named.
func (opts *LintOptions) lintRendered(ctx context.Context, linter *validate.Linter, in renderedInput, emit func(validate.Finding), sum *validate.Summary) error {
	var (
		docs []sources.Document
		err  error
		note string
	)
	switch in.kind {
	case sources.HelmChart:
		docs, err = sources.RenderChart(in.arg, sources.HelmOptions{
			ValueFiles:  opts.Sources.Values,
			Set:         opts.Sources.Set,
			ReleaseName: opts.Sources.ReleaseName,
			Namespace:   opts.Cluster.Kube.Namespace,
			KubeVersion: opts.Sources.KubeVersion,
		})
		note = " (line of helm template's output for this file: the template line could not be told)"
	case sources.Kustomization:
		docs, err = sources.BuildKustomization(in.arg)
		note = " (line of kustomize build's output for this resource: the source line could not be told)"
	}
	if err != nil {
		var re *sources.RenderError
		if errors.As(err, &re) {
			sum.InputErrors = append(sum.InputErrors, validate.InputError{File: re.Location(), Err: errors.New(re.Msg)})
			return nil
		}
		sum.InputErrors = append(sum.InputErrors, validate.InputError{File: in.arg, Err: err})
		return nil
	}
	sum.Files++
	for _, d := range docs {
		s, err := linter.LintReader(ctx, d.Name, bytes.NewReader(d.Data), func(f validate.Finding) {
			p := d.Locate(f.Line, f.Column, f.Field)
			f.File, f.Line, f.Column = p.File, p.Line, p.Column
			if p.Rendered {
				f.Message += note
			}
			emit(f)
		})
		if err != nil {
			return err
		}
		addSummary(sum, s)
		sum.Files-- // a chart counts once, not a file per template
	}
	return nil
}

// addSummary adds b's counts to a.
func addSummary(a, b *validate.Summary) {
	a.Files += b.Files
	a.Documents += b.Documents
	a.Objects += b.Objects
	a.Suppressed += b.Suppressed
	a.IgnoredPaths += b.IgnoredPaths
	if a.Skipped == nil {
		a.Skipped = map[string]int{}
	}
	for k, v := range b.Skipped {
		a.Skipped[k] += v
	}
	if a.Findings == nil {
		a.Findings = map[string]int{}
	}
	for k, v := range b.Findings {
		a.Findings[k] += v
	}
	a.InputErrors = append(a.InputErrors, b.InputErrors...)
}
