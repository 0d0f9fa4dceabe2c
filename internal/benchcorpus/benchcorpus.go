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
}

// Default is the corpus of docs/performance.md: 10,000 VMs (about 18 MB),
// one in ten with a mistake.
var Default = Corpus{VMs: 10000, Seed: 1, FaultEvery: 10}

// WriteStream writes all VMs as one multi-document YAML stream.
func (c Corpus) WriteStream(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	for i := range c.VMs {
		if i > 0 {
			bw.WriteString("---\n")
		}
		c.writeVM(bw, r, i)
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

func (c Corpus) writeVM(w *bufio.Writer, r *rand.Rand, i int) {
	fault := c.FaultEvery > 0 && i%c.FaultEvery == c.FaultEvery-1
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
    spec:
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
		1+r.IntN(8), 1+r.IntN(16), port)
	probePort := port
	if fault && i%3 == 0 {
		probePort = 8080 // not forwarded by the masquerade ports list
	}
	if r.IntN(4) > 0 {
		fmt.Fprintf(w, "          watchdog:\n            name: wd\n            i6300esb:\n              action: %s\n",
			map[bool]string{true: "explode", false: []string{"poweroff", "reset", "shutdown"}[r.IntN(3)]}[fault && i%3 == 1])
	}
	fmt.Fprintf(w, `      networks:
        - name: default
          pod: {}
`)
	switch r.IntN(4) {
	case 0:
		fmt.Fprintf(w, "      readinessProbe:\n        httpGet:\n          port: %d\n          path: /healthz\n        initialDelaySeconds: 120\n        periodSeconds: 20\n        timeoutSeconds: 10\n", probePort)
	case 1:
		fmt.Fprintf(w, "      readinessProbe:\n        tcpSocket:\n          port: %d\n        initialDelaySeconds: 120\n        periodSeconds: 20\n        timeoutSeconds: 10\n", probePort)
	case 2:
		w.WriteString("      readinessProbe:\n        guestAgentPing: {}\n        initialDelaySeconds: 60\n        periodSeconds: 10\n")
	case 3:
		w.WriteString("      readinessProbe:\n        exec:\n          command: [\"cat\", \"/tmp/healthy\"]\n        initialDelaySeconds: 60\n        periodSeconds: 10\n        timeoutSeconds: 5\n")
	}
	if r.IntN(2) == 0 {
		success := 1
		if fault && i%3 == 2 {
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
