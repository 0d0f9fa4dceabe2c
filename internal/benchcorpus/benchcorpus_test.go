package benchcorpus

import (
	"bytes"
	"testing"
)

func TestDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	c := Corpus{VMs: 50, Seed: 7, FaultEvery: 10}
	if err := c.WriteStream(&a); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteStream(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different output")
	}
	if n := bytes.Count(a.Bytes(), []byte("kind: VirtualMachine\n")); n != 50 {
		t.Fatalf("%d VMs, want 50", n)
	}
	var other bytes.Buffer
	if err := (Corpus{VMs: 50, Seed: 8, FaultEvery: 10}).WriteStream(&other); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), other.Bytes()) {
		t.Fatal("the seed changes nothing")
	}
}
