package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vmhealth/vmhealth/apply"
	"github.com/vmhealth/vmhealth/gen"
	"github.com/vmhealth/vmhealth/probespec"
	"github.com/vmhealth/vmhealth/validate"
)

// stanzaFlags are gen's probe and watchdog flags, so that apply takes the
// health checks the way gen writes them: the same names, help and checks
// (probeRequest, checkHeaders and probeSettings come from gen.go).
type stanzaFlags struct {
	readiness, liveness                        string
	headers, readinessHeaders, livenessHeaders []string
	settings                                   map[string]*int32
	watchdog, watchdogModel, watchdogName      string
}

// stanzaFlagNames lists every flag addStanzaFlags adds.
func stanzaFlagNames() []string {
	names := []string{genFlagReadiness, genFlagLiveness, genFlagHeader, genFlagReadiness + "-" + genFlagHeader,
		genFlagLiveness + "-" + genFlagHeader, genFlagWatchdog, genFlagWatchdogModel, genFlagWatchdogName}
	for _, s := range probeSettings {
		names = append(names, s.flag, genFlagReadiness+"-"+s.flag, genFlagLiveness+"-"+s.flag)
	}
	return names
}

func addStanzaFlags(fl *pflag.FlagSet) *stanzaFlags {
	s := &stanzaFlags{settings: map[string]*int32{}}
	fl.StringVar(&s.readiness, genFlagReadiness, "", "readiness probe: "+gen.SpecSyntax)
	fl.StringVar(&s.liveness, genFlagLiveness, "", "liveness probe, in the same form")
	fl.StringArrayVar(&s.headers, genFlagHeader, nil, "HTTP header 'Name: value' for every http/https probe (repeatable)")
	fl.StringArrayVar(&s.readinessHeaders, genFlagReadiness+"-"+genFlagHeader, nil, "HTTP header for the readiness probe only (repeatable)")
	fl.StringArrayVar(&s.livenessHeaders, genFlagLiveness+"-"+genFlagHeader, nil, "HTTP header for the liveness probe only (repeatable)")
	for _, ps := range probeSettings {
		for _, prefix := range []string{"", genFlagReadiness + "-", genFlagLiveness + "-"} {
			v := new(int32)
			s.settings[prefix+ps.flag] = v
			help := ps.help
			if prefix != "" {
				help = "like --" + ps.flag + ", for the " + strings.TrimSuffix(prefix, "-") + " probe only"
			}
			fl.Int32Var(v, prefix+ps.flag, 0, help)
		}
	}
	fl.StringVar(&s.watchdog, genFlagWatchdog, "", "watchdog device with this action: poweroff, reset or shutdown")
	fl.StringVar(&s.watchdogModel, genFlagWatchdogModel, "", "watchdog model: i6300esb (amd64) or diag288 (s390x); default: the architecture's")
	fl.StringVar(&s.watchdogName, genFlagWatchdogName, gen.DefaultWatchdogName, "name of the watchdog device")
	return s
}

// given reports whether any of the flags was set.
func (s *stanzaFlags) given(cmd *cobra.Command) bool {
	return slices.ContainsFunc(stanzaFlagNames(), cmd.Flags().Changed)
}

// request checks the flags as gen does and returns what to build, and
// which flag set which field (for gen's error messages).
func (s *stanzaFlags) request(cmd *cobra.Command, arch string) (*gen.Request, map[string]string, error) {
	fl := cmd.Flags()
	setBy := map[string]string{}
	req := &gen.Request{Arch: arch}
	var err error
	if req.Readiness, err = probeRequest(cmd, genFlagReadiness, s.readiness, s.headers, s.readinessHeaders, s.settings, setBy); err != nil {
		return nil, nil, err
	}
	if req.Liveness, err = probeRequest(cmd, genFlagLiveness, s.liveness, s.headers, s.livenessHeaders, s.settings, setBy); err != nil {
		return nil, nil, err
	}
	if err := checkHeaders(cmd, *req, s.headers); err != nil {
		return nil, nil, err
	}
	for _, ps := range probeSettings {
		if fl.Changed(ps.flag) && req.Readiness == nil && req.Liveness == nil {
			return nil, nil, usageErrorf(cmd, "--%s needs --%s or --%s", ps.flag, genFlagReadiness, genFlagLiveness)
		}
	}
	switch {
	case fl.Changed(genFlagWatchdog) && !slices.Contains(probespec.DocumentedWatchdogActions, s.watchdog):
		msg := fmt.Sprintf("invalid --%s %q: the action is poweroff, reset or shutdown", genFlagWatchdog, s.watchdog)
		if sug := validate.Suggest(s.watchdog, probespec.DocumentedWatchdogActions); sug != "" {
			msg += fmt.Sprintf("; did you mean %q?", sug)
		}
		return nil, nil, usageErrorf(cmd, "%s", msg)
	case fl.Changed(genFlagWatchdog):
		req.Watchdog = &gen.WatchdogRequest{Action: s.watchdog, Model: s.watchdogModel, Name: s.watchdogName}
	case fl.Changed(genFlagWatchdogModel), fl.Changed(genFlagWatchdogName):
		return nil, nil, usageErrorf(cmd, "--%s and --%s need --%s", genFlagWatchdogModel, genFlagWatchdogName, genFlagWatchdog)
	}
	return req, setBy, nil
}

// buildStanza builds the health checks as gen does; a request gen refuses
// is reported the way gen reports it.
func buildStanza(opts *ApplyOptions, linter *validate.Linter) (*apply.Stanza, error) {
	req := *opts.genRequest
	req.Linter = linter
	st, err := gen.Build(req)
	if err != nil {
		return nil, genError(&GenOptions{IO: opts.IO, setBy: opts.genSetBy, cmd: opts.cmd}, err)
	}
	return apply.StanzaFromTyped(st.Readiness, st.Liveness, st.Watchdog)
}
