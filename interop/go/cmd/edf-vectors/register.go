package main

import (
	"runtime/debug"

	"ergo.services/ergo/app/system"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/edf"
	_ "ergo.services/ergo/net/handshake" // registers its 4 types at init
	_ "ergo.services/ergo/net/proto"     // registers its 20 types at init
	"ergo.services/ergo/net/registrar"
)

const (
	nodeName = gen.Atom("go@127.0.0.1")
	peerName = gen.Atom("ts@127.0.0.1")
)

// registerFramework registers what a running Go node has registered besides net/edf's init:
// the registrar client's types (registrar.Create, when the node is built; no I/O) and the
// metrics message (the system app's metrics actor registers it in Init).
func registerFramework() error {
	registrar.Create(registrar.Options{})
	if err := edf.RegisterTypeOf(system.MessageMetrics{}); err != nil && err != gen.ErrTaken {
		return err
	}
	return nil
}

// localMessages are the framework's mailbox messages that Ergo 3.1.0 does not register with
// net/edf (a stock Go node cannot encode or decode them); an application may register them.
var localMessages = []any{
	gen.MessageDownPID{}, gen.MessageDownProcessID{}, gen.MessageDownAlias{}, gen.MessageDownEvent{},
	gen.MessageDownNode{}, gen.MessageDownProxy{},
	gen.MessageExitPID{}, gen.MessageExitProcessID{}, gen.MessageExitAlias{}, gen.MessageExitEvent{},
	gen.MessageExitNode{}, gen.MessageFallback{},
}

func registerLocalMessages() error {
	for _, m := range localMessages {
		if err := edf.RegisterTypeOf(m); err != nil && err != gen.ErrTaken {
			return err
		}
	}
	return nil
}

func (g *generator) localFactsBefore() {
	g.fact("edf.Encode(gen.MessageDownPID{…}) on a stock node", gen.MessageDownPID{PID: gen.PID{Node: nodeName, ID: 1000, Creation: 1}, Reason: gen.TerminateReasonNormal})
	g.fact("edf.Encode(gen.MessageExitPID{…}) on a stock node", gen.MessageExitPID{PID: gen.PID{Node: nodeName, ID: 1000, Creation: 1}, Reason: gen.TerminateReasonKill})
	g.fact("edf.Encode(gen.MessageDownNode{…}) on a stock node", gen.MessageDownNode{Name: peerName})
}

func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "ergo.services/ergo" {
				return d.Version
			}
		}
	}
	return "unknown"
}
