package cli

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real vmhealth command inside this test
// binary: scripts call it with "exec vmhealth …".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"vmhealth": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the whole-CLI scenarios in testdata/script/*.txtar.
// Scripts see DefaultRegistry, so they rely only on the input rules and
// check findings with regular expressions, not whole-output comparisons that
// a new rule would break.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits,
		},
		Setup: func(env *testscript.Env) error {
			// The scripts check colour rules themselves.
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}

// cmdExits runs a program and checks its exit status:
//
//	exits 2 vmhealth lint missing.yaml
//
// Its stdout and stderr are kept for the stdout and stderr commands.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits status program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
