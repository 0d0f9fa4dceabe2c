// Package benchcorpus writes deterministic, realistic KubeVirt manifests for
// benchmarks: VirtualMachines with container disks, masquerade interfaces with ports,
// cloud-init user data, a mix of probe handlers and watchdogs, and some
// deliberate mistakes, so that anyone can reproduce vmhealth's figures.
package benchcorpus

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Corpus describes what to generate.
type Corpus struct {
	// VMs is how many VirtualMachines to write.
	VMs int
	// Seed makes the output reproducible: the same seed, the same bytes.
	Seed uint64
	// FaultEvery puts a deliberate mistake into every n-th VM (0: none).
	FaultEvery int
	// Messy gives every VM two or three mistakes, as a repository has
	// before it adopts a linter, and closes each namespace of a hundred
	// VMs with a Service that selects some of them, after them in the
	// stream. FaultEvery is ignored.
	Messy bool
}

// Default is the corpus of docs/performance.md: 10,000 VMs (about 18 MB),
// one in ten with a mistake.
var Default = Corpus{VMs: 10000, Seed: 1, FaultEvery: 10}

// Messy is the messy corpus of docs/performance.md: 10,000 VMs (about 17
// MB) with two or three mistakes each, about 27,000 findings in all.
var Messy = Corpus{VMs: 10000, Seed: 1, Messy: true}

// WriteStream writes all VMs as one multi-document YAML stream.
func (c Corpus) WriteStream(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	for i := range c.VMs {
		if i > 0 {
			bw.WriteString("---\n")
		}
		c.writeVM(bw, r, i)
		if c.Messy && (i%100 == 99 || i == c.VMs-1) {
			writeService(bw, i/100)
		}
	}
	return bw.Flush()
}

// WriteTree writes one file a VM under dir, spread over sub-directories of
// a hundred files each, as a GitOps repository would hold them.
func (c Corpus) WriteTree(dir string) error {
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	for i := range c.VMs {
		sub := filepath.Join(dir, fmt.Sprintf("team-%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
		}
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("vm-%05d.yaml", i)))
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(f)
		c.writeVM(bw, r, i)
		if c.Messy && (i%100 == 99 || i == c.VMs-1) {
			bw.WriteString("---\n")
			writeService(bw, i/100)
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

var images = []string{"quay.io/containerdisks/fedora:41", "quay.io/containerdisks/ubuntu:24.04", "quay.io/containerdisks/centos-stream:9", "quay.io/containerdisks/debian:12"}

// writeService writes a Service of namespace team-<ns> that selects the
// VMs whose template is labelled exposed: "true" there.
func writeService(w *bufio.Writer, ns int) {
	fmt.Fprintf(w, `---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: team-%03d
spec:
  selector:
    exposed: "true"
  ports:
    - port: 80
      targetPort: 1500
`, ns)
}

// The mistakes of the messy corpus; each VM gets two or three of them.
const (
	faultPortNotForwarded = 1 << iota // the readiness probe's port is not in the masquerade ports
	faultWatchdogAction               // i6300esb action "explode"
	faultSuccessThreshold             // liveness successThreshold 2
	faultUnknownField                 // "periodSecond" in the readiness probe
	faultPeriodTimeout                // readiness periodSeconds not above timeoutSeconds
	faultNoReadiness                  // no readiness probe (found when the Service selects the VM)
	faultKinds            = 6
)

// messyFaults picks two or three distinct mistakes.
func messyFaults(r *rand.Rand) int {
	n, faults := 2+r.IntN(2), 0
	for n > 0 {
		f := 1 << r.IntN(faultKinds)
		if faults&f == 0 {
			faults |= f
			n--
		}
	}
	if faults&faultNoReadiness != 0 {
		// The readiness probe's own mistakes need a readiness probe.
		faults = faultNoReadiness | faultWatchdogAction | faultSuccessThreshold
	}
	return faults
}

func (c Corpus) writeVM(w *bufio.Writer, r *rand.Rand, i int) {
	fault := !c.Messy && c.FaultEvery > 0 && i%c.FaultEvery == c.FaultEvery-1
	faults := 0
	if c.Messy {
		faults = messyFaults(r)
	}
	has := func(f int) bool { return faults&f != 0 }
	port := 1500 + r.IntN(8)*100
	fmt.Fprintf(w, `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm-%05d
  namespace: team-%03d
  labels:
    app: service-%d
    tier: %s
spec:
  runStrategy: Always
  template:
    metadata:
      labels:
        app: service-%d
        kubevirt.io/domain: vm-%05d
%s    spec:
      domain:
        cpu:
          cores: %d
        memory:
          guest: %dGi
        devices:
          disks:
            - name: rootdisk
              disk:
                bus: virtio
            - name: cloudinitdisk
              disk:
                bus: virtio
          interfaces:
            - name: default
              masquerade: {}
              ports:
                - name: ssh
                  port: 22
                - name: http
                  port: %d
`, i, i/100, i%50, []string{"web", "db", "cache", "batch"}[r.IntN(4)], i%50, i,
		map[bool]string{true: "        exposed: \"true\"\n"}[has(faultNoReadiness)], 1+r.IntN(8), 1+r.IntN(16), port)
	probePort := port
	if fault && i%3 == 0 || has(faultPortNotForwarded) {
		probePort = 8080 // not forwarded by the masquerade ports list
	}
	if r.IntN(4) > 0 || has(faultWatchdogAction) {
		fmt.Fprintf(w, "          watchdog:\n            name: wd\n            i6300esb:\n              action: %s\n",
			map[bool]string{true: "explode", false: []string{"poweroff", "reset", "shutdown"}[r.IntN(3)]}[fault && i%3 == 1 || has(faultWatchdogAction)])
	}
	fmt.Fprintf(w, `      networks:
        - name: default
          pod: {}
`)
	period, timeout := 20, 10
	if has(faultPeriodTimeout) {
		period = 10
	}
	switch kind := r.IntN(4); {
	case has(faultNoReadiness):
	case has(faultUnknownField) || has(faultPeriodTimeout) || has(faultPortNotForwarded):
		fmt.Fprintf(w, "      readinessProbe:\n        tcpSocket:\n          port: %d\n        initialDelaySeconds: 120\n", probePort)
		if has(faultUnknownField) {
			fmt.Fprintf(w, "        periodSecond: %d\n", period)
		} else {
			fmt.Fprintf(w, "        periodSeconds: %d\n", period)
		}
		fmt.Fprintf(w, "        timeoutSeconds: %d\n", timeout)
	case kind == 0:
		fmt.Fprintf(w, "      readinessProbe:\n        httpGet:\n          port: %d\n          path: /healthz\n        initialDelaySeconds: 120\n        periodSeconds: 20\n        timeoutSeconds: 10\n", probePort)
	case kind == 1:
		fmt.Fprintf(w, "      readinessProbe:\n        tcpSocket:\n          port: %d\n        initialDelaySeconds: 120\n        periodSeconds: 20\n        timeoutSeconds: 10\n", probePort)
	case kind == 2:
		w.WriteString("      readinessProbe:\n        guestAgentPing: {}\n        initialDelaySeconds: 60\n        periodSeconds: 10\n")
	default:
		w.WriteString("      readinessProbe:\n        exec:\n          command: [\"cat\", \"/tmp/healthy\"]\n        initialDelaySeconds: 60\n        periodSeconds: 10\n        timeoutSeconds: 5\n")
	}
	if r.IntN(2) == 0 || has(faultSuccessThreshold) {
		success := 1
		if fault && i%3 == 2 || has(faultSuccessThreshold) {
			success = 2 // the launcher pod would be rejected
		}
		fmt.Fprintf(w, "      livenessProbe:\n        tcpSocket:\n          port: %d\n        initialDelaySeconds: 300\n        periodSeconds: 20\n        timeoutSeconds: 10\n        failureThreshold: 6\n        successThreshold: %d\n", port, success)
	}
	fmt.Fprintf(w, `      terminationGracePeriodSeconds: 180
      volumes:
        - name: rootdisk
          containerDisk:
            image: %s
        - name: cloudinitdisk
          cloudInitNoCloud:
            userData: |
              #cloud-config
              hostname: vm-%05d
              ssh_authorized_keys:
                - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchmarkKey%05d bench@vmhealth
              packages:
                - qemu-guest-agent
                - watchdog
              runcmd:
                - systemctl enable --now qemu-guest-agent
                - systemctl enable --now watchdog.service
`, images[r.IntN(len(images))], i, i)
}
