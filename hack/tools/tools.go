//go:build tools

// Package tools pins the programs that hack/testbin.sh builds for the
// integration-test harness (internal/testenv): a real kube-apiserver and etcd.
// The imports exist only so that the go command keeps these modules and their
// dependencies in go.mod/go.sum; this file is never compiled.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
