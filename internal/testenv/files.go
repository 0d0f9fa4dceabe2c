package testenv

// Where the binaries are, whether they are fresh, and where the control
// plane's logs go.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-logr/logr/funcr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// RepoRoot returns the root of the vmhealth module, found by walking up from
// the working directory (a test runs in its package's folder) to the go.mod
// that declares module github.com/vmhealth/vmhealth.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declaresModule(data, modulePath) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s in %s or above", modulePath, wd)
		}
		dir = parent
	}
}

func declaresModule(gomod []byte, path string) bool {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == path
		}
	}
	return false
}

// BinDir returns the folder expected to hold kube-apiserver and etcd:
// $VMHEALTH_TESTBIN if set (a relative path is taken from the repository
// root, as hack/testbin.sh does), else .cache/testbin at the repository root.
func BinDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if d := os.Getenv(EnvTestbin); d != "" {
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		return d, nil
	}
	return filepath.Join(root, ".cache", "testbin"), nil
}

// checkFresh fails when hack/testbin.sh recorded (in tools.sum) that it built
// the binaries from another hack/tools/go.mod or go.sum than the current
// ones. Binaries put there by other means, without tools.sum, are trusted.
func checkFresh(root, bin string) error {
	recorded, err := os.ReadFile(filepath.Join(bin, "tools.sum"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	h := sha256.New()
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(root, "hack", "tools", name))
		if err != nil {
			return err
		}
		h.Write(data)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.TrimSpace(string(recorded)) {
		return fmt.Errorf("the binaries in %s were built from another hack/tools/go.mod or go.sum: rebuild them with `hack/testbin.sh`", bin)
	}
	return nil
}

// openLogs opens the files the control plane writes its output to; with
// VMHEALTH_TESTENV_VERBOSE=1 the output also goes to stderr.
func openLogs(dir string) (api, etcd io.Writer, closeAll func(), err error) {
	af, err := os.Create(filepath.Join(dir, "kube-apiserver.log"))
	if err != nil {
		return nil, nil, nil, err
	}
	ef, err := os.Create(filepath.Join(dir, "etcd.log"))
	if err != nil {
		af.Close()
		return nil, nil, nil, err
	}
	api, etcd = af, ef
	if os.Getenv(EnvVerbose) == "1" {
		api, etcd = io.MultiWriter(af, os.Stderr), io.MultiWriter(ef, os.Stderr)
	}
	return api, etcd, func() { af.Close(); ef.Close() }, nil
}

// logTail returns the last lines of a log file, formatted for an error.
func logTail(name, path string) string {
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return fmt.Sprintf("\n--- last lines of %s output ---\n%s", name, strings.Join(lines, "\n"))
}

var loggerOnce sync.Once

// setLogger routes controller-runtime's log (which envtest uses) to stderr,
// errors and important messages only. Without a logger, controller-runtime
// prints a warning with a stack trace after 30 s.
func setLogger() {
	loggerOnce.Do(func() {
		ctrllog.SetLogger(funcr.New(func(prefix, args string) {
			fmt.Fprintln(os.Stderr, "testenv:", prefix, args)
		}, funcr.Options{Verbosity: 0}))
	})
}
