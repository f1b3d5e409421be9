// ergo-peer: a Go Ergo v3 node for ergo-ts's interop tests. It starts one node with:
//
//   - "echo"   (registered): logs every message, answers calls with the request
//     ("fail" → SendResponseError), traps exits, owns the alias and the event "ev1";
//   - "tester" (unregistered): runs commands read as JSON lines on stdin (send, call, link,
//     monitor, spawn, application start, …) and logs what comes back to it;
//   - spawn factory "worker" for any node, "restricted" only for the node named by -allow;
//   - application "app1" (loaded, startable remotely).
//
// Everything it sees is printed as JSON lines on stdout ({"ev": …}); Ergo's own log goes to
// stderr. Options choose registrar port/role, acceptor port, pool size, TLS, flags, limits,
// static routes and a byte tap of the acceptor's links (-tap FILE).
package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	"ergo.services/ergo"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/edf"
	"ergo.services/ergo/net/handshake"
	"ergo.services/ergo/net/proto"
	"ergo.services/ergo/net/registrar"
)

var (
	outMu sync.Mutex
	out   = bufio.NewWriter(os.Stdout)
)

// emit prints one JSON line on stdout.
func emit(v map[string]any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"ev": "error", "err": err.Error()})
	}
	outMu.Lock()
	out.Write(b)
	out.WriteByte('\n')
	out.Flush()
	outMu.Unlock()
}

type routeFlags []string

func (r *routeFlags) String() string     { return strings.Join(*r, ",") }
func (r *routeFlags) Set(s string) error { *r = append(*r, s); return nil }

func main() {
	name := flag.String("name", "go@127.0.0.1", "node name")
	cookie := flag.String("cookie", "cookie", "cookie")
	regPort := flag.Int("registrar-port", 0, "registrar port (required; never 4499 in tests)")
	regServe := flag.Bool("registrar-serve", false, "allow this node to run the embedded registrar server (binds UDP on all interfaces)")
	hidden := flag.Bool("hidden", false, "no acceptor, no registration")
	port := flag.Int("port", 0, "acceptor port (required unless -hidden)")
	pool := flag.Int("pool", 0, "pool size dictated to dialers (0 = Ergo's default, 3)")
	cert := flag.String("tls-cert", "", "PEM certificate: serve TLS")
	key := flag.String("tls-key", "", "PEM key for -tls-cert")
	insecure := flag.Bool("insecure", false, "dial TLS without verifying certificates")
	maxMsg := flag.Int("max-msg", 0, "MaxMessageSize (0 = unlimited)")
	noSpawn := flag.Bool("no-spawn", false, "announce EnableRemoteSpawn=false")
	noApp := flag.Bool("no-app", false, "announce EnableRemoteApplicationStart=false")
	noImportant := flag.Bool("no-important", false, "announce EnableImportantDelivery=false")
	allow := flag.String("allow", "", "the only node allowed to spawn \"restricted\"")
	tapFile := flag.String("tap", "", "record every byte of the acceptor's links to this file (JSON lines)")
	atoms := flag.String("atoms", "", "comma-separated atoms to register in the EDF atom cache")
	var routes routeFlags
	flag.Var(&routes, "route", "static route match=host:port[:tls] (repeatable)")
	flag.Parse()
	if *regPort == 0 || (!*hidden && *port == 0) {
		fmt.Fprintln(os.Stderr, "ergo-peer: -registrar-port and -port are required")
		os.Exit(2)
	}

	registerTypes()
	for _, a := range strings.Split(*atoms, ",") {
		if a != "" {
			edf.RegisterAtom(gen.Atom(a))
		}
	}

	var opts gen.NodeOptions
	opts.Log.Level = gen.LogLevelInfo
	opts.Log.DefaultLogger.Output = os.Stderr
	opts.Env = map[gen.Env]any{"disable_metrics": true}
	opts.Network.Cookie = *cookie
	opts.Network.MaxMessageSize = *maxMsg
	opts.Network.InsecureSkipVerify = *insecure
	opts.Network.Registrar = registrar.Create(registrar.Options{Port: uint16(*regPort), DisableServer: !*regServe})
	flags := gen.DefaultNetworkFlags
	flags.EnableRemoteSpawn = !*noSpawn
	flags.EnableRemoteApplicationStart = !*noApp
	flags.EnableImportantDelivery = !*noImportant
	opts.Network.Flags = flags
	if *hidden {
		opts.Network.Mode = gen.NetworkModeHidden
	} else {
		a := gen.AcceptorOptions{
			Host:      "127.0.0.1",
			Port:      uint16(*port),
			PortRange: uint16(*port),
			Flags:     flags,
			Handshake: handshake.Create(handshake.Options{PoolSize: *pool, NetworkFlags: flags}),
			Proto:     proto.Create(),
		}
		if *tapFile != "" {
			t, err := newTap(*tapFile)
			if err != nil {
				fail(err)
			}
			a.Handshake = tapHandshake{a.Handshake, t}
			a.Proto = tapProto{a.Proto, t}
		}
		if *cert != "" {
			c, err := tls.LoadX509KeyPair(*cert, *key)
			if err != nil {
				fail(err)
			}
			a.CertManager = gen.CreateCertManager(c)
		}
		opts.Network.Acceptors = []gen.AcceptorOptions{a}
	}

	node, err := ergo.StartNode(gen.Atom(*name), opts)
	if err != nil {
		emit(map[string]any{"ev": "start-failed", "err": err.Error()})
		os.Exit(1)
	}
	for _, r := range routes {
		if err := addRoute(node, r); err != nil {
			fail(err)
		}
	}
	net := node.Network()
	net.EnableSpawn("worker", factoryWorker)
	if *allow != "" {
		net.EnableSpawn("restricted", factoryWorker, gen.Atom(*allow))
	} else {
		net.EnableSpawn("restricted", factoryWorker, "nobody@nowhere")
	}
	if _, err := node.ApplicationLoad(&app{}); err != nil {
		fail(err)
	}
	net.EnableApplicationStart("app1")

	echoPID, err := node.SpawnRegister("echo", factoryEcho, gen.ProcessOptions{})
	if err != nil {
		fail(err)
	}
	testerPID, err := node.Spawn(factoryTester, gen.ProcessOptions{})
	if err != nil {
		fail(err)
	}
	<-echoReady
	emit(map[string]any{
		"ev":       "ready",
		"node":     *name,
		"creation": node.Creation(),
		"echo":     jsonPID(echoPID),
		"tester":   jsonPID(testerPID),
		"alias":    jsonAlias(echoAlias),
		"release":  ergo.FrameworkVersion.Release,
	})

	// Commands: one JSON object per line, run by the process named in "as" (default tester).
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			emit(map[string]any{"ev": "error", "err": "bad command: " + err.Error()})
			continue
		}
		switch c.Op {
		case "stop":
			node.Stop()
			emit(map[string]any{"ev": "stopped"})
			return
		case "quit":
			os.Exit(0)
		}
		to := testerPID
		if c.As == "echo" {
			to = echoPID
		}
		if err := node.Send(to, c); err != nil {
			emit(map[string]any{"ev": "result", "id": c.ID, "err": err.Error()})
		}
	}
	node.Stop()
}

func fail(err error) {
	emit(map[string]any{"ev": "fatal", "err": err.Error()})
	os.Exit(1)
}

func addRoute(node gen.Node, spec string) error {
	// match=host:port[:tls]
	eq := strings.Index(spec, "=")
	if eq < 0 {
		return fmt.Errorf("bad -route %q", spec)
	}
	parts := strings.Split(spec[eq+1:], ":")
	if len(parts) < 2 {
		return fmt.Errorf("bad -route %q", spec)
	}
	var p int
	fmt.Sscanf(parts[1], "%d", &p)
	r := gen.NetworkRoute{Route: gen.Route{Host: parts[0], Port: uint16(p), TLS: len(parts) > 2 && parts[2] == "tls"}}
	return node.Network().AddRoute(spec[:eq], r, 1)
}
