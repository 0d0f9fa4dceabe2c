// Package kube connects vmhealth's commands to a cluster the way kubectl
// does: kubeconfig loading through client-go's clientcmd (KUBECONFIG,
// --kubeconfig, --context, --namespace, in-cluster configuration), a dynamic
// client, a discovery-backed REST mapper, request logging for -v that never
// shows credentials, and errors rewritten for people.
package kube

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// Client rate limits. client-go's defaults (QPS 5, burst 10) would make a
// rollout to a few hundred VMs crawl, and even 50/100 held apply -l to
// 1,000 VMs to 53 requests a second on a test server that could serve far
// more (docs/performance.md). vmhealth therefore sets no client-side rate
// limit (a negative QPS turns client-go's limiter off): what bounds the load
// is the fixed number of workers, each with one request in flight, and the
// API server's priority and fairness, which queues or answers 429 with
// Retry-After (client-go waits and retries) when it is busy.
const (
	DefaultQPS   = -1
	DefaultBurst = 0
	// DefaultTimeout bounds one request. The first write of a KubeVirt
	// object can take a second or two while the API server builds the large
	// schemas; 30 s leaves room for a busy server without hanging forever.
	DefaultTimeout = 30 * time.Second
)

// Flag names, as kubectl spells them.
const (
	FlagKubeconfig = "kubeconfig"
	FlagContext    = "context"
	FlagNamespace  = "namespace"
	FlagTimeout    = "request-timeout"
)

// Flags are the connection flags a command shares with kubectl.
type Flags struct {
	// Kubeconfig is a kubeconfig file; empty means $KUBECONFIG, then
	// ~/.kube/config, then the in-cluster configuration.
	Kubeconfig string
	// Context is the kubeconfig context to use; empty means the current one.
	Context string
	// Namespace overrides the context's namespace.
	Namespace string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
}

// AddFlags adds --kubeconfig, --context, -n/--namespace and
// --request-timeout to fs.
func (f *Flags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Kubeconfig, FlagKubeconfig, "", "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the in-cluster configuration)")
	fs.StringVar(&f.Context, FlagContext, "", "kubeconfig context to use (default: the current context)")
	fs.StringVarP(&f.Namespace, FlagNamespace, "n", "", "namespace (default: the context's namespace, else default)")
	fs.DurationVar(&f.Timeout, FlagTimeout, DefaultTimeout, "how long to wait for one API request")
}

// Options tune Connect.
type Options struct {
	// UserAgent names the program in the API server's audit log.
	UserAgent string
	// Log, when set, gets one line for each HTTP request: method, URL,
	// status and duration. Headers and bodies are never logged.
	Log io.Writer
	// Warnings gets the API server's warnings (deprecations and the like);
	// nil drops them.
	Warnings io.Writer
}

// Clients are a connection to one cluster.
type Clients struct {
	// Config is the REST configuration. It holds credentials: never print
	// it; print Describe instead.
	Config *rest.Config
	// Dynamic reads and writes objects of any resource.
	Dynamic dynamic.Interface
	// Metadata lists objects' metadata alone (names for shell completion),
	// without their specs.
	Metadata metadata.Interface
	// Discovery lists the API groups the server offers.
	Discovery discovery.DiscoveryInterface
	// Mapper finds the resource and preferred version of a kind through
	// discovery, caching what it learnt.
	Mapper meta.RESTMapper
	// Namespace is the namespace to use when a command is not told one:
	// --namespace, else the context's, else "default".
	Namespace string
	// NamespaceExplicit reports whether --namespace gave Namespace.
	NamespaceExplicit bool
	// Describe says where the clients connect and as whom, without secrets:
	// "context kind-lab, server https://127.0.0.1:6443, user admin
	// (client certificate)".
	Describe string
	// Redactor removes the credentials of Config from text.
	Redactor *Redactor
}

// ErrNoConfig means no kubeconfig was found and vmhealth is not running
// inside a cluster.
var ErrNoConfig = errors.New("no cluster configuration: set KUBECONFIG, pass --kubeconfig, or run inside a cluster")

// Connect loads the configuration as kubectl does and builds the clients.
func Connect(flags Flags, opts Options) (*Clients, error) {
	// client-go also reports some failures (discovery, throttling) through
	// klog, straight to stderr and unredacted; vmhealth shows the returned
	// error instead, once, redacted.
	klog.SetLogger(logr.Discard())

	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = flags.Kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: flags.Context}
	overrides.Context.Namespace = flags.Namespace
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)

	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, ErrNoConfig
		}
		// clientcmd's messages name files and contexts, never secrets,
		// but a malformed file could be quoted back; redact anyway.
		return nil, fmt.Errorf("loading kubeconfig: %s", NewRedactor(nil).Redact(err.Error()))
	}
	ns, explicit, err := cc.Namespace()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	if ns == "" {
		ns = "default"
	}

	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = DefaultQPS, DefaultBurst
	cfg.Timeout = flags.Timeout
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if opts.UserAgent != "" {
		cfg.UserAgent = opts.UserAgent
	}
	red := NewRedactor(cfg)
	if opts.Warnings != nil {
		cfg.WarningHandler = &warningWriter{w: opts.Warnings, red: red}
	} else {
		cfg.WarningHandler = rest.NoWarnings{}
	}
	if opts.Log != nil {
		log := opts.Log
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
			return &logTransport{next: rt, w: log, red: red}
		})
	}

	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating discovery client: %s", red.Redact(err.Error()))
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating dynamic client: %s", red.Redact(err.Error()))
	}
	md, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating metadata client: %s", red.Redact(err.Error()))
	}
	cached := memory.NewMemCacheClient(dc)
	return &Clients{
		Config:            cfg,
		Dynamic:           dyn,
		Metadata:          md,
		Discovery:         cached,
		Mapper:            restmapper.NewDeferredDiscoveryRESTMapper(cached),
		Namespace:         ns,
		NamespaceExplicit: explicit,
		Describe:          describe(cc, cfg, flags.Context),
		Redactor:          red,
	}, nil
}

// Contexts returns the names of the contexts of the kubeconfig that flags
// point at (--kubeconfig, else $KUBECONFIG, else ~/.kube/config), sorted,
// for the completion of --context.
func Contexts(flags Flags) ([]string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = flags.Kubeconfig
	raw, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).RawConfig()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %s", NewRedactor(nil).Redact(err.Error()))
	}
	names := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// describe names the context, server and user and how the user
// authenticates, never the credential itself.
func describe(cc clientcmd.ClientConfig, cfg *rest.Config, override string) string {
	ctxName, user := "(in-cluster)", ""
	if raw, err := cc.RawConfig(); err == nil && len(raw.Contexts) > 0 {
		ctxName = raw.CurrentContext
		if override != "" {
			ctxName = override
		}
		if ctxName == "" {
			ctxName = "(none)"
		}
		if c, ok := raw.Contexts[ctxName]; ok {
			user = c.AuthInfo
		}
	}
	auth := "anonymous"
	switch {
	case cfg.BearerToken != "" || cfg.BearerTokenFile != "":
		auth = "bearer token"
	case len(cfg.CertData) > 0 || cfg.CertFile != "":
		auth = "client certificate"
	case cfg.Username != "":
		auth = "basic auth"
	case cfg.ExecProvider != nil:
		auth = "exec plugin " + cfg.ExecProvider.Command
	case cfg.AuthProvider != nil:
		auth = "auth provider " + cfg.AuthProvider.Name
	}
	s := fmt.Sprintf("context %s, server %s", ctxName, cfg.Host)
	if user != "" {
		s += ", user " + user
	}
	return s + " (" + auth + ")"
}
