package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/vmhealth/vmhealth/internal/testenv"
)

// The figures of docs/performance.md's cluster section: lint --cluster over
// 5,000 VMs and apply -l to 1,000, against the real API server. In -short
// mode (CI, -benchtime=1x) they run on 100 and 50 VMs so they cannot rot.

func scaleVMs(b *testing.B, full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// requestCount reads the API server's own count of the requests it served.
func requestCount(b *testing.B, env *testenv.Env) float64 {
	b.Helper()
	raw, err := env.Kube.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		b.Fatalf("reading /metrics: %v", err)
	}
	total := 0.0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			total += v
		}
	}
	return total
}

// createFleet creates n copies of webVM labelled app=fleet in a new
// namespace, 16 at a time, and returns the namespace. With faulty, one VM in
// ten has a liveness successThreshold of 2.
func createFleet(b *testing.B, env *testenv.Env, n int, faulty bool) string {
	b.Helper()
	ns := fmt.Sprintf("scale-%d", time.Now().UnixNano())
	if _, err := env.Kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	var base map[string]any
	if err := yaml.Unmarshal([]byte(webVM), &base); err != nil {
		b.Fatal(err)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				u := &unstructured.Unstructured{Object: runtimeDeepCopy(base)}
				u.SetName(fmt.Sprintf("vm-%05d", i))
				u.SetNamespace(ns)
				u.SetLabels(map[string]string{"app": "fleet"})
				if faulty && i%10 == 9 {
					_ = unstructured.SetNestedField(u.Object, map[string]any{"tcpSocket": map[string]any{"port": int64(22)}, "successThreshold": int64(2)},
						"spec", "template", "spec", "livenessProbe")
				}
				if _, err := env.Dynamic.Resource(testenv.VirtualMachines).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{FieldManager: setupManager}); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		b.Fatalf("creating VMs: %v", firstErr)
	}
	return ns
}

func runtimeDeepCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}

// runTimed runs the binary and returns its wall time and exit code.
func runTimed(b *testing.B, args ...string) (time.Duration, int, string) {
	b.Helper()
	cmd := exec.Command(vmhealthBin, args...)
	cmd.Env = []string{"HOME=" + b.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		b.Fatal(err)
	}
	return wall, code, out.String()
}

func BenchmarkLintCluster(b *testing.B) {
	env := testenv.Shared(b)
	n := scaleVMs(b, 5000, 100)
	ns := createFleet(b, env, n, true)
	kc := env.WriteKubeconfig(b)
	var wall time.Duration
	var reqs float64
	for b.Loop() {
		before := requestCount(b, env)
		w, code, out := runTimed(b, "lint", "--cluster", "--kubeconfig", kc, "-n", ns, "-o", "json")
		reqs += requestCount(b, env) - before
		wall += w
		if code != 1 || !strings.Contains(out, fmt.Sprintf(`"objects": %d`, n)) {
			b.Fatalf("exit %d, want 1 with %d objects:\n%.2000s", code, n, out)
		}
	}
	b.ReportMetric(float64(n), "VMs")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
	b.ReportMetric(reqs/float64(b.N), "requests/op")
}

func BenchmarkApplySelector(b *testing.B) {
	env := testenv.Shared(b)
	n := scaleVMs(b, 1000, 50)
	ns := createFleet(b, env, n, false)
	kc := env.WriteKubeconfig(b)
	stanza := b.TempDir() + "/readiness.yaml"
	if err := os.WriteFile(stanza, []byte(readinessStanza), 0o644); err != nil {
		b.Fatal(err)
	}
	var wall time.Duration
	var reqs float64
	for i := 0; b.Loop(); i++ {
		// Each round changes the probe, so every VM is really written.
		before := requestCount(b, env)
		w, code, out := runTimed(b, "apply", "--kubeconfig", kc, "-n", ns, "-l", "app=fleet",
			"--readiness", "tcp:"+strconv.Itoa(1500+i), "--period", "20", "--timeout", "5")
		reqs += requestCount(b, env) - before
		wall += w
		if code != 0 || !strings.Contains(out, fmt.Sprintf("%d applied", n)) {
			b.Fatalf("exit %d:\n%.3000s", code, out)
		}
	}
	b.ReportMetric(float64(n), "VMs")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
	b.ReportMetric(reqs/float64(b.N), "requests/op")
	b.ReportMetric(reqs/wall.Seconds(), "requests/s")
}
