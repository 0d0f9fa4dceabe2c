package gen

import (
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"
	v1 "kubevirt.io/api/core/v1"
)

// probeNode writes a probe in the order of KubeVirt's documentation:
// the handler, then initialDelaySeconds, periodSeconds, timeoutSeconds,
// failureThreshold and successThreshold. Fields left at zero are left out,
// unless forPatch is set: then they are written as null, so that a JSON
// merge patch replaces a probe already in the object instead of mixing the
// two (an old httpGet next to a new tcpSocket is a probe KubeVirt rejects).
func probeNode(p *v1.Probe, forPatch bool) *yaml.Node {
	m := mapNode()
	put := func(key string, v *yaml.Node) {
		switch {
		case v != nil:
			setKey(m, key, v)
		case forPatch:
			setKey(m, key, nullNode())
		}
	}
	var httpGet, tcpSocket, exec, ping *yaml.Node
	switch {
	case p.HTTPGet != nil:
		h := p.HTTPGet
		httpGet = mapNode("port", portNode(h.Port))
		putString(httpGet, "path", h.Path, forPatch)
		putString(httpGet, "host", h.Host, forPatch)
		putString(httpGet, "scheme", string(h.Scheme), forPatch)
		if len(h.HTTPHeaders) > 0 {
			headers := seqNode()
			for _, hd := range h.HTTPHeaders {
				headers.Content = append(headers.Content, mapNode("name", strNode(hd.Name), "value", strNode(hd.Value)))
			}
			setKey(httpGet, "httpHeaders", headers)
		} else if forPatch {
			setKey(httpGet, "httpHeaders", nullNode())
		}
	case p.TCPSocket != nil:
		tcpSocket = mapNode("port", portNode(p.TCPSocket.Port))
		putString(tcpSocket, "host", p.TCPSocket.Host, forPatch)
	case p.Exec != nil:
		cmd := seqNode()
		for _, w := range p.Exec.Command {
			cmd.Content = append(cmd.Content, strNode(w))
		}
		exec = mapNode("command", cmd)
	case p.GuestAgentPing != nil:
		ping = emptyMap()
	}
	// The handler in use comes first; the others follow as null in a patch.
	for _, h := range []struct {
		key  string
		node *yaml.Node
	}{{"httpGet", httpGet}, {"tcpSocket", tcpSocket}, {"exec", exec}, {"guestAgentPing", ping}} {
		if h.node != nil {
			put(h.key, h.node)
		}
	}
	for _, h := range []struct {
		key  string
		node *yaml.Node
	}{{"httpGet", httpGet}, {"tcpSocket", tcpSocket}, {"exec", exec}, {"guestAgentPing", ping}} {
		if h.node == nil {
			put(h.key, nil)
		}
	}
	put("initialDelaySeconds", nonZero(p.InitialDelaySeconds))
	put("periodSeconds", nonZero(p.PeriodSeconds))
	put("timeoutSeconds", nonZero(p.TimeoutSeconds))
	put("failureThreshold", nonZero(p.FailureThreshold))
	put("successThreshold", nonZero(p.SuccessThreshold))
	return m
}

func putString(m *yaml.Node, key, value string, forPatch bool) {
	switch {
	case value != "":
		setKey(m, key, strNode(value))
	case forPatch:
		setKey(m, key, nullNode())
	}
}

func nonZero(n int32) *yaml.Node {
	if n == 0 {
		return nil
	}
	return intNode(int64(n))
}

func portNode(p intstr.IntOrString) *yaml.Node {
	if p.Type == intstr.String {
		return strNode(p.StrVal)
	}
	return intNode(int64(p.IntVal))
}

// watchdogNode writes a watchdog as KubeVirt's docs do: name, then the
// model with its action. In a patch the other model is null, so that
// patching a diag288 watchdog to i6300esb leaves one model, not two.
func watchdogNode(w *v1.Watchdog, forPatch bool) *yaml.Node {
	m := mapNode("name", strNode(w.Name))
	model := func(action v1.WatchdogAction) *yaml.Node {
		n := mapNode()
		putString(n, "action", string(action), forPatch)
		if len(n.Content) == 0 {
			return emptyMap()
		}
		return n
	}
	switch {
	case w.I6300ESB != nil:
		setKey(m, "i6300esb", model(w.I6300ESB.Action))
	case w.Diag288 != nil:
		setKey(m, "diag288", model(w.Diag288.Action))
	}
	if forPatch {
		if w.I6300ESB == nil {
			setKey(m, "i6300esb", nullNode())
		}
		if w.Diag288 == nil {
			setKey(m, "diag288", nullNode())
		}
	}
	return m
}
