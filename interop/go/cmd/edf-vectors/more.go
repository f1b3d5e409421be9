package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"ergo.services/ergo/app/system"
	"ergo.services/ergo/app/system/inspect"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/handshake"
	"ergo.services/ergo/net/proto"
	"ergo.services/ergo/net/registrar"

	ec "ergo-ts/interop/go/edfcases"
)

var version = gen.Version{Name: "ergo-ts", Release: "0.1.0", Commit: "abc", License: gen.LicenseMIT}

func (g *generator) frameworkTypes() {
	g.add("gen.LogLevel", gen.LogLevelWarning)
	g.add("gen.LogLevel system (-100)", gen.LogLevelSystem)
	g.add("gen.Env", gen.Env("PATH"))
	g.add("gen.Version", version)
	g.add("gen.MessageEvent", gen.MessageEvent{Event: gen.Event{Name: "ev", Node: "a@h"}, Timestamp: 1700000000000000000, Message: "hi"})
	g.add("gen.MessageEvent holding a struct", gen.MessageEvent{Event: event1, Timestamp: 1, Message: ec.Point{X: 1, Y: 1}})
	g.add("gen.MessageEventStart", gen.MessageEventStart{Name: "prices"})
	g.add("gen.MessageEventStop", gen.MessageEventStop{Name: "prices"})
	g.add("[]gen.MessageEvent (the LinkEvent reply)", []gen.MessageEvent{{Event: event1, Timestamp: 5, Message: int(7)}})
	g.add("[]gen.MessageEvent nil", []gen.MessageEvent(nil))
	g.add("gen.NetworkFlags", gen.NetworkFlags{Enable: true, EnableRemoteSpawn: true, EnableImportantDelivery: true})
	g.add("gen.NetworkFlags all", gen.NetworkFlags{Enable: true, EnableRemoteSpawn: true, EnableRemoteApplicationStart: true, EnableFragmentation: true, EnableProxyTransit: true, EnableProxyAccept: true, EnableImportantDelivery: true})
	g.add("gen.NetworkFlags disabled", gen.NetworkFlags{})
	g.add("gen.NetworkProxyFlags (MarshalEDF writes nothing)", gen.NetworkProxyFlags{})
	g.add("gen.ProcessFallback", gen.ProcessFallback{Enable: true, Name: "fb", Tag: "t"})
	g.add("gen.Compression", gen.Compression{Enable: true, Type: gen.CompressionTypeZLIB, Level: gen.CompressionBestSize, Threshold: 1024})
	g.add("gen.MailboxQueues", gen.MailboxQueues{Main: 1, System: 2, Urgent: 3, Log: 4})
	g.add("gen.ProcessOptions", gen.ProcessOptions{MailboxSize: 100, Leader: pid1, Env: map[gen.Env]any{"k": "v"}, SendPriority: gen.MessagePriorityHigh, LinkParent: true, LogLevel: gen.LogLevelDebug})
	g.add("gen.ProcessOptionsExtra (embedded ProcessOptions)", gen.ProcessOptionsExtra{ProcessOptions: gen.ProcessOptions{MailboxSize: 5}, ParentPID: pid2, ParentLeader: pid2, Register: "reg", Application: "app", Args: []any{int(1), "two"}})
	g.add("gen.ProcessShortInfo", gen.ProcessShortInfo{PID: pid1, Name: "n", Application: "a", Behavior: "main.worker", MessagesIn: 5, Uptime: 60, State: gen.ProcessStateRunning, Parent: pid2, Leader: pid2, LogLevel: gen.LogLevelInfo})
	g.add("gen.ProcessInfo", gen.ProcessInfo{PID: pid1, Name: "n", Behavior: "b", MailboxQueues: gen.MailboxQueues{Main: 1}, State: gen.ProcessStateSleep, Aliases: []gen.Alias{alias1}, Events: []gen.Atom{"e"}, MonitorsPID: []gen.PID{pid2}, LinksProcessID: []gen.ProcessID{procID1}, MonitorsEvent: []gen.Event{event1}, KeepNetworkOrder: true})
	g.add("gen.ApplicationInfo", gen.ApplicationInfo{Name: "app", Weight: 10, Description: "d", Version: version, Depends: gen.ApplicationDepends{Applications: []gen.Atom{"x"}, Network: true}, Mode: gen.ApplicationModePermanent, State: gen.ApplicationStateRunning, Group: []gen.PID{pid1}})
	g.add("gen.CronInfo", gen.CronInfo{Next: utc, Spool: []gen.Atom{"j"}, Jobs: []gen.CronJobInfo{{Name: "j", Spec: "* * * * *", Location: "UTC", LastRun: utc, Fallback: gen.ProcessFallback{Name: "f"}}}})
	g.add("gen.Route", gen.Route{Host: "127.0.0.1", Port: 15000, TLS: false, HandshakeVersion: version, ProtoVersion: version})
	g.add("gen.RemoteNodeInfo", gen.RemoteNodeInfo{Node: peerName, Uptime: 3, Version: version, NetworkFlags: gen.NetworkFlags{Enable: true}, PoolSize: 3, PoolDSN: []string{"127.0.0.1:1"}, MaxMessageSize: 0, MessagesIn: 1})
	g.add("gen.NodeInfo", gen.NodeInfo{Name: nodeName, Uptime: 1, Version: version, Framework: version, Env: map[gen.Env]any{"a": int(1)}, LogLevel: gen.LogLevelInfo, Loggers: []gen.LoggerInfo{{Name: "default", Behavior: "b", Levels: []gen.LogLevel{gen.LogLevelInfo}}}, Cron: gen.CronInfo{Next: utc}, ProcessesTotal: 10, MemoryUsed: 1 << 40})
	g.add("handshake.MessageHello", handshake.MessageHello{Salt: "s", Digest: "d"})
	g.add("handshake.MessageIntroduce", handshake.MessageIntroduce{Node: "n@h", Version: gen.Version{Name: "v"}, Flags: gen.NetworkFlags{Enable: true, EnableRemoteSpawn: true}, Creation: 1700000000,
		AtomCache: map[uint16]gen.Atom{256: "n@h"}, RegCache: map[uint16]string{4096: "#ergo.services/ergo/gen/Env"}, ErrCache: map[uint16]error{32769: gen.ErrTimeout}, Digest: "x"})
	g.add("handshake.MessageAccept", handshake.MessageAccept{ID: "c1", PoolSize: 3, PoolDSN: []string{"127.0.0.1:15001", "127.0.0.1:15002"}, Digest: "d"})
	g.add("proto.MessageLinkPID", proto.MessageLinkPID{Source: pid1, Target: pid2, Ref: refGo})
	g.add("proto.MessageMonitorProcessID", proto.MessageMonitorProcessID{Source: pid1, Target: procID1, Ref: refTS})
	g.add("proto.MessageMonitorAlias", proto.MessageMonitorAlias{Source: pid1, Target: aliasTS, Ref: refGo})
	g.add("proto.MessageLinkEvent", proto.MessageLinkEvent{Source: pid2, Target: event1, Ref: refTS})
	g.add("proto.MessageResult PID", proto.MessageResult{Result: pid2, Ref: refTS})
	g.add("proto.MessageResult error", proto.MessageResult{Error: gen.ErrProcessUnknown, Ref: refTS})
	g.add("proto.MessageResult nil", proto.MessageResult{Ref: refGo})
	g.add("proto.MessageResult events", proto.MessageResult{Result: []gen.MessageEvent{}, Ref: refGo})
	g.add("proto.MessageSpawn", proto.MessageSpawn{Name: "factory", Options: gen.ProcessOptionsExtra{ParentPID: pid2, Args: []any{"x"}}, Ref: refTS})
	g.add("proto.MessageApplicationStart", proto.MessageApplicationStart{Name: "app", Mode: gen.ApplicationModeTransient, Options: gen.ApplicationOptionsExtra{CorePID: pid2, CoreLogLevel: gen.LogLevelInfo}, Ref: refTS})
	g.add("registrar.MessageRegisterRoutes", registrar.MessageRegisterRoutes{Node: nodeName, Routes: []gen.Route{{Host: "127.0.0.1", Port: 15000, HandshakeVersion: version, ProtoVersion: version}}})
	g.add("registrar.MessageResolveReply", registrar.MessageResolveReply{Routes: []gen.Route{{Host: "127.0.0.1", Port: 1}}, Error: nil})
	g.add("registrar.MessageResolveReply error", registrar.MessageResolveReply{Error: gen.ErrNameUnknown})
	g.add("inspect.RequestInspectNode (no fields)", inspect.RequestInspectNode{})
	g.add("inspect.MessageInspectProcessState", inspect.MessageInspectProcessState{Node: nodeName, PID: pid1, State: map[string]string{"k": "v"}})
	g.add("system.MessageMetrics", system.MessageMetrics{Name: nodeName, Creation: 1700000000, Uptime: 5, Arch: "amd64", OS: "linux", NumCPU: 2, GoVersion: "go1.26", Version: "0.1.0", ErgoVersion: "3.1.0"})

	// The mailbox messages Ergo keeps local (registered here as an application may do).
	g.add("gen.MessageDownPID", gen.MessageDownPID{PID: pid2, Reason: gen.TerminateReasonNormal})
	g.add("gen.MessageDownProcessID", gen.MessageDownProcessID{ProcessID: procID1, Reason: gen.ErrProcessUnknown})
	g.add("gen.MessageDownAlias", gen.MessageDownAlias{Alias: aliasTS, Reason: errors.New("boom")})
	g.add("gen.MessageDownEvent", gen.MessageDownEvent{Event: event1, Reason: gen.TerminateReasonShutdown})
	g.add("gen.MessageDownNode", gen.MessageDownNode{Name: peerName})
	g.add("gen.MessageDownProxy", gen.MessageDownProxy{Node: peerName, Proxy: nodeName, Reason: gen.ErrNoConnection})
	g.add("gen.MessageExitPID", gen.MessageExitPID{PID: pid2, Reason: gen.TerminateReasonKill})
	g.add("gen.MessageExitProcessID", gen.MessageExitProcessID{ProcessID: procID1, Reason: gen.TerminateReasonPanic})
	g.add("gen.MessageExitAlias", gen.MessageExitAlias{Alias: alias1, Reason: gen.TerminateReasonNormal})
	g.add("gen.MessageExitEvent", gen.MessageExitEvent{Event: event1, Reason: nil})
	g.add("gen.MessageExitNode", gen.MessageExitNode{Name: peerName})
	g.add("gen.MessageFallback", gen.MessageFallback{PID: pid1, Tag: "t", Target: pid2, Message: "m"})
	g.add("gen.MessageDownPID cached", gen.MessageDownPID{PID: pid2, Reason: gen.TerminateReasonNormal}, withCaches)
	g.add("gen.MessageExitPID cached", gen.MessageExitPID{PID: pid1, Reason: gen.TerminateReasonShutdown}, withCaches)
}

// cached: the same kinds with this node's announced tables (atoms, types, errors by id).
func (g *generator) cached() {
	g.add("cached atom (node name)", nodeName, withCaches)
	g.add("cached atom missing from the table goes inline", gen.Atom("not-cached"), withCaches)
	g.add("cached pid", pid1, withCaches)
	g.add("cached pid of the peer", pid2, withCaches)
	g.add("cached ref", refGo, withCaches)
	g.add("cached ref a TS runtime makes", refTS, withCaches)
	g.add("cached alias", aliasTS, withCaches)
	g.add("cached event", event1, withCaches)
	g.add("cached processId", procID1, withCaches)
	g.add("cached error timeout", gen.ErrTimeout, withCaches)
	g.add("cached error normal", gen.TerminateReasonNormal, withCaches)
	g.add("cached error shutdown", gen.TerminateReasonShutdown, withCaches)
	g.add("cached error kill", gen.TerminateReasonKill, withCaches)
	g.add("cached error panic", gen.TerminateReasonPanic, withCaches)
	g.add("cached error of the application", ec.ErrCustom, withCaches)
	g.add("cached error not in the table goes inline", errPlain, withCaches)
	g.add("cached []error", []error{gen.ErrTimeout, nil, errPlain}, withCaches)
	g.add("cached Point", ec.Point{X: 1, Y: 2}, withCaches)
	g.add("cached Complex", ec.BenchComplex(3), withCaches)
	g.add("cached []Point (fold by id)", []ec.Point{{X: 1, Y: 2}}, withCaches)
	g.add("cached map[Point]MyString (key and value folds by id)", map[ec.Point]ec.MyString{{X: 1, Y: 1}: "a"}, withCaches)
	g.add("cached map[string][]Point (nested fold)", map[string][]ec.Point{"a": {{X: 1, Y: 2}}}, withCaches)
	g.add("cached MyStrings", ec.MyStrings{"a"}, withCaches)
	g.add("cached WithAny holding a struct", ec.WithAny{Label: nodeName.String(), Value: ec.Inner{Name: "in"}, List: []any{pid1, gen.TerminateReasonNormal}}, withCaches)
	g.add("cached gen.MessageEvent", gen.MessageEvent{Event: event1, Timestamp: 1700000000000000000, Message: []any{gen.Atom("x")}}, withCaches)
	g.add("cached proto.MessageLinkPID", proto.MessageLinkPID{Source: pid1, Target: pid2, Ref: refGo}, withCaches)
	g.add("cached proto.MessageResult timeout", proto.MessageResult{Error: gen.ErrTimeout, Result: pid1, Ref: refTS}, withCaches)
	g.add("cached proto.MessageResult events", proto.MessageResult{Result: []gen.MessageEvent{{Event: event1, Message: int(1)}}, Ref: refTS}, withCaches)
	g.add("cached handshake.MessageIntroduce", handshake.MessageIntroduce{Node: nodeName, Flags: gen.NetworkFlags{Enable: true}}, withCaches)
	g.add("cached registrar.MessageResolveReply", registrar.MessageResolveReply{Error: gen.ErrTimeout}, withCaches)
	g.add("cached AllKinds", ec.AllKinds{Atom: nodeName, Error: gen.TerminateReasonNormal, PID: pid1, Ref: refTS, Alias: alias1, Event: event1, ProcessID: procID1, Struct: ec.Point{X: 1}}, withCaches)
	g.add("cached Blob", ec.Blob{A: 1, B: "b"}, withCaches)
	g.add("cached gen.NetworkFlags", gen.NetworkFlags{Enable: true, EnableFragmentation: true}, withCaches)

	// AtomMapping (per-connection renaming, applied before the cache lookup).
	rename := map[string]string{"hello world": "hi"}
	g.add("atom mapping", gen.Atom("hello world"), mapping(rename), valueOf(gen.Atom("hi")), encodeFrom(gen.Atom("hello world")))
	g.add("atom mapping in a pid", gen.PID{Node: "hello world", ID: 1, Creation: 2}, mapping(rename),
		valueOf(gen.PID{Node: "hi", ID: 1, Creation: 2}), encodeFrom(gen.PID{Node: "hello world", ID: 1, Creation: 2}))
}

func valueOf(x any) opt {
	return func(c *Case) { c.Value = mustJSON(ec.NewConv().Value(x)) }
}

func encodeFrom(x any) opt {
	return func(c *Case) { c.EncodeFrom = mustJSON(ec.NewConv().Value(x)) }
}

var _ = json.Marshal

// rejections: bytes Go's decoder refuses, and the code our decoder gives for them.
func (g *generator) rejections() {
	g.reject("empty input", "", "ERR_EDF_TRUNCATED")
	g.reject("unknown tag 0x80", "80", "ERR_EDF_UNKNOWN_TAG")
	g.reject("unknown tag 0xa0", "a000", "ERR_EDF_UNKNOWN_TAG")
	g.reject("bare slice marker at the top level", "9d00000000", "ERR_EDF_UNKNOWN_TAG")
	g.reject("bare map marker at the top level", "9f00000000", "ERR_EDF_UNKNOWN_TAG")
	g.reject("array fold tag at the top level", "9e", "ERR_EDF_UNKNOWN_TAG")
	g.reject("type header around a scalar", "820001960000000000000001", "ERR_EDF_BAD_FOLD")
	g.reject("int truncated", "96000000", "ERR_EDF_TRUNCATED")
	g.reject("string longer than the input", "8d000561626364", "ERR_EDF_TRUNCATED")
	g.reject("binary longer than the input", "8e0000000a0102", "ERR_EDF_TRUNCATED")
	g.reject("atom id without an AtomCache", "8c0100", "ERR_EDF_UNKNOWN_CACHE_ID")
	g.reject("atom id not in the AtomCache", "8cfc00", "ERR_EDF_UNKNOWN_CACHE_ID", withCaches)
	g.reject("error id without an ErrCache", "9c8001", "ERR_EDF_UNKNOWN_CACHE_ID")
	g.reject("error id not in the ErrCache", "9cfffe", "ERR_EDF_UNKNOWN_CACHE_ID", withCaches)
	g.reject("type id without a RegCache", "831000", "ERR_EDF_UNKNOWN_CACHE_ID")
	g.reject("type id not in the RegCache", "83ffff", "ERR_EDF_UNKNOWN_CACHE_ID", withCaches)
	g.reject("unknown registered name", "8300052361622f63", "ERR_EDF_UNKNOWN_TYPE")
	g.reject("unknown registered name in a fold", "8200099d8300052361622f639d00000000", "ERR_EDF_UNKNOWN_TYPE")
	g.reject("time of 14 bytes", "af0e01000000000000000000000000ffff", "ERR_EDF_BAD_TIME")
	g.reject("time version 3", "af0f03000000000000000000000000ffff", "ERR_EDF_BAD_TIME")
	g.reject("slice count beyond the input", "8200029d969d000000050000000000000001", "ERR_EDF_TRUNCATED")
	g.reject("map count beyond the input", "8200039f96969f00000002", "ERR_EDF_TRUNCATED")
	g.reject("slice value with a map marker", "8200029d969f00000000", "ERR_EDF_BAD_MARKER")
	g.reject("map value with a slice marker", "8200039f8d969d00000000", "ERR_EDF_BAD_MARKER")
	g.reject("map with an array key (Go cannot read the fold)", "8200089f9e00000002968d9f00000000", "ERR_EDF_BAD_FOLD")
	g.reject("fold cut short", "8200019d", "ERR_EDF_BAD_FOLD")
	g.reject("fold with an unknown kind", "8200029d01", "ERR_EDF_BAD_FOLD")
	g.reject("registered slice with a 9d marker", "83"+nameHex("#ergo-ts/interop/go/edfcases/MyStrings")+"9d00000000", "ERR_EDF_BAD_MARKER")
	g.reject("struct cut inside a field", "83"+nameHex("#ergo-ts/interop/go/edfcases/Point")+"000000010000", "ERR_EDF_TRUNCATED")
	g.reject("custom body longer than the input", "83"+nameHex("#ergo-ts/interop/go/edfcases/Blob")+"00000010", "ERR_EDF_TRUNCATED")

	// Type headers around a scalar or a registered type: Go never writes them; its decoder
	// reads them inconsistently (a second tag at the top level, a bare body inside an any
	// slot), so we refuse them everywhere.
	g.refuse("type header around a scalar, then a second tag", "82000196960000000000000001", "ERR_EDF_BAD_FOLD")
	g.refuse("type header around a scalar inside an any slot", "8200029d849d00000001"+"820001960000000000000001", "ERR_EDF_BAD_FOLD")
	pointFold := "83" + nameHex("#ergo-ts/interop/go/edfcases/Point")
	g.refuse("type header around a registered type", fmt.Sprintf("82%04x", len(pointFold)/2)+pointFold+"0000000100000002", "ERR_EDF_BAD_FOLD")

	// Accepted by Go's decoder although its encoder never writes them.
	g.raw("any tag before a value (84)", "84ff", noEncode)
	g.raw("lone nil", "ff")
	g.raw("bool byte 02 is false", "9102", noEncode)
	g.raw("nil error header in an any slot", "8200029d849d00000001ff")
}

func nameHex(name string) string {
	return fmt.Sprintf("%04x%x", len(name), name)
}

// goFacts: what Go's encoder and decoder do with values no vector can carry.
func (g *generator) goFacts() {
	type localErr struct{ msg string }
	g.fact("edf.Encode(nil)", nil)
	g.fact("edf.Encode(time.Duration(5))", time.Duration(5))
	g.fact("edf.Encode(json.RawMessage(`{}`)) (unregistered named []byte)", json.RawMessage(`{}`))
	g.fact("edf.Encode(unregistered type []MyNamed of named ints)", []time.Duration{1})
	g.fact("edf.Encode(&Point{})", &ec.Point{})
	g.fact("edf.Encode(errors.Join(a, b))", errors.Join(errPlain, gen.ErrTimeout))
	g.fact("edf.Encode(fmt.Errorf(\"x: %w\", err))", fmt.Errorf("x: %w", errPlain))
	g.fact("edf.Encode(struct{ A int }{1}) (unregistered struct)", struct{ A int }{1})
	g.fact("edf.Encode(complex128(1))", complex128(1))
	g.fact("edf.Encode(string of 65536 bytes)", str(65536, "x"))
	g.fact("edf.Encode(gen.Atom of 256 bytes)", gen.Atom(str(256, "a")))
	g.fact("edf.Encode(errors.New(32768 bytes))", errors.New(str(32768, "e")))
	g.fact("edf.Encode(math.NaN()) bits", math.NaN())
	g.fact("edf.Encode(map[[2]int]string{{1,2}: \"a\"}) (Go then cannot decode it)", map[[2]int]string{{1, 2}: "a"})
	_ = localErr{}
	// Decoded inline errors go through fmt.Errorf(message).
	if v, _, err := decodeHex("9c0004613f2564"); err == nil {
		g.facts = append(g.facts, Fact{"edf.Decode of the inline error \"a?%d\"", fmt.Sprintf("error %q", v.(error).Error())})
	}
}
