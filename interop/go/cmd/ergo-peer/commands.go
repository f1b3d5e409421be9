package main

import (
	"encoding/json"
	"time"

	"ergo.services/ergo/act"
	"ergo.services/ergo/gen"
)

// command is one line of stdin.
type command struct {
	ID        int      `json:"id"`
	Op        string   `json:"op"`
	As        string   `json:"as"`
	To        *target  `json:"to"`
	Node      string   `json:"node"`
	Name      string   `json:"name"`
	Register  string   `json:"register"`
	Val       *value   `json:"val"`
	Args      []*value `json:"args"`
	Important bool     `json:"important"`
	Priority  int      `json:"priority"`
	Compress  string   `json:"compress"`
	Level     int      `json:"level"`
	Threshold int      `json:"threshold"`
	NoOrder   bool     `json:"noOrder"`
	Reason    string   `json:"reason"`
	Mode      int      `json:"mode"`
	Timeout   int      `json:"timeout"`
	Count     int      `json:"count"`
}

type target struct {
	PID   *jpid   `json:"pid"`
	Name  string  `json:"name"`
	Node  string  `json:"node"`
	Alias *jalias `json:"alias"`
	Event string  `json:"event"`
}

type jpid struct {
	Node     string `json:"node"`
	ID       uint64 `json:"id"`
	Creation int64  `json:"creation"`
}

type jalias struct {
	Node     string    `json:"node"`
	Creation int64     `json:"creation"`
	ID       [3]uint64 `json:"id"`
}

func (t *target) resolve() any {
	switch {
	case t.PID != nil:
		return gen.PID{Node: gen.Atom(t.PID.Node), ID: t.PID.ID, Creation: t.PID.Creation}
	case t.Alias != nil:
		return gen.Alias{Node: gen.Atom(t.Alias.Node), Creation: t.Alias.Creation, ID: t.Alias.ID}
	case t.Event != "":
		return gen.Event{Name: gen.Atom(t.Event), Node: gen.Atom(t.Node)}
	default:
		return gen.ProcessID{Name: gen.Atom(t.Name), Node: gen.Atom(t.Node)}
	}
}

func jsonPID(p gen.PID) map[string]any {
	return map[string]any{"node": string(p.Node), "id": p.ID, "creation": p.Creation}
}

func jsonAlias(a gen.Alias) map[string]any {
	return map[string]any{"node": string(a.Node), "creation": a.Creation, "id": a.ID}
}

func jsonRef(r gen.Ref) map[string]any {
	return map[string]any{"node": string(r.Node), "creation": r.Creation, "id": r.ID}
}

func errText(err error) any {
	if err == nil {
		return nil
	}
	return err.Error()
}

// run executes one command as process p and prints {"ev":"result","id":…}.
func run(p *act.Actor, c command) {
	res := map[string]any{"ev": "result", "id": c.ID, "op": c.Op}
	var err error
	var msg any
	if c.Val != nil {
		msg = c.Val.build()
	}
	switch c.Op {
	case "send":
		if c.Compress != "" {
			p.SetCompression(true)
			p.SetCompressionType(gen.CompressionType(c.Compress))
			p.SetCompressionLevel(gen.CompressionLevel(c.Level))
			if c.Threshold > 0 {
				p.SetCompressionThreshold(c.Threshold)
			}
			defer p.SetCompression(false)
		}
		if c.NoOrder {
			p.SetKeepNetworkOrder(false)
			defer p.SetKeepNetworkOrder(true)
		}
		n := c.Count
		if n < 1 {
			n = 1
		}
		for i := 0; i < n && err == nil; i++ {
			m := msg
			if c.Count > 0 {
				m = []any{int64(i), msg}
			}
			switch {
			case c.Important:
				err = p.SendImportant(c.To.resolve(), m)
			case c.Priority > 0:
				err = p.SendWithPriority(c.To.resolve(), m, gen.MessagePriority(c.Priority))
			default:
				err = p.Send(c.To.resolve(), m)
			}
		}
	case "call":
		var r any
		switch {
		case c.Important:
			r, err = p.CallImportant(c.To.resolve(), msg)
		case c.Timeout > 0:
			r, err = p.CallWithTimeout(c.To.resolve(), msg, c.Timeout)
		default:
			r, err = p.Call(c.To.resolve(), msg)
		}
		if err == nil {
			res["value"] = describe(r)
		}
	case "exit":
		t := c.To.resolve().(gen.PID)
		err = p.SendExit(t, reasonOf(c.Reason))
	case "link":
		if ev, ok := c.To.resolve().(gen.Event); ok {
			var l []gen.MessageEvent
			l, err = p.LinkEvent(ev)
			res["events"] = events(l)
		} else {
			err = p.Link(c.To.resolve())
		}
	case "unlink":
		if ev, ok := c.To.resolve().(gen.Event); ok {
			err = p.UnlinkEvent(ev)
		} else {
			err = p.Unlink(c.To.resolve())
		}
	case "monitor":
		if ev, ok := c.To.resolve().(gen.Event); ok {
			var l []gen.MessageEvent
			l, err = p.MonitorEvent(ev)
			res["events"] = events(l)
		} else {
			err = p.Monitor(c.To.resolve())
		}
	case "demonitor":
		if ev, ok := c.To.resolve().(gen.Event); ok {
			err = p.DemonitorEvent(ev)
		} else {
			err = p.Demonitor(c.To.resolve())
		}
	case "spawn":
		args := []any{}
		for _, a := range c.Args {
			args = append(args, a.build())
		}
		var pid gen.PID
		if c.Register != "" {
			pid, err = p.RemoteSpawnRegister(gen.Atom(c.Node), gen.Atom(c.Name), gen.Atom(c.Register), gen.ProcessOptions{}, args...)
		} else {
			pid, err = p.RemoteSpawn(gen.Atom(c.Node), gen.Atom(c.Name), gen.ProcessOptions{}, args...)
		}
		if err == nil {
			res["pid"] = jsonPID(pid)
		}
	case "appstart":
		var rn gen.RemoteNode
		rn, err = p.Node().Network().GetNode(gen.Atom(c.Node))
		if err == nil {
			switch c.Mode {
			case 1:
				err = rn.ApplicationStartTemporary(gen.Atom(c.Name), gen.ApplicationOptions{})
			case 2:
				err = rn.ApplicationStartTransient(gen.Atom(c.Name), gen.ApplicationOptions{})
			case 3:
				err = rn.ApplicationStartPermanent(gen.Atom(c.Name), gen.ApplicationOptions{})
			default:
				err = rn.ApplicationStart(gen.Atom(c.Name), gen.ApplicationOptions{})
			}
		}
	case "publish":
		// Publish on an event of this node (ev1 by default, or a victim's).
		name := gen.Atom(c.Name)
		if name == "" {
			name = "ev1"
		}
		err = p.SendEvent(name, tokens[name], msg)
	case "victim":
		// A local process registered as Name, with an alias and an event of the same name.
		_, err = p.SpawnRegister(gen.Atom(c.Name), factoryWorker, gen.ProcessOptions{}, "victim", c.Name)
	case "smallbox":
		// A process registered as Name whose mailbox holds Count messages (MailboxSize).
		var pid gen.PID
		pid, err = p.SpawnRegister(gen.Atom(c.Name), factoryWorker, gen.ProcessOptions{MailboxSize: int64(c.Count)})
		res["pid"] = jsonPID(pid)
	case "monitornode":
		err = p.MonitorNode(gen.Atom(c.Node))
	case "linknode":
		err = p.LinkNode(gen.Atom(c.Node))
	case "connect":
		var rn gen.RemoteNode
		rn, err = p.Node().Network().GetNode(gen.Atom(c.Node))
		if err == nil {
			res["info"] = remoteInfo(rn)
		}
	case "info":
		var rn gen.RemoteNode
		rn, err = p.Node().Network().Node(gen.Atom(c.Node))
		if err == nil {
			res["info"] = remoteInfo(rn)
		}
	case "disconnect":
		var rn gen.RemoteNode
		rn, err = p.Node().Network().Node(gen.Atom(c.Node))
		if err == nil {
			rn.Disconnect()
		}
	case "resolve":
		var reg gen.Registrar
		reg, err = p.Node().Network().Registrar()
		if err == nil {
			var routes []gen.Route
			routes, err = reg.Resolver().Resolve(gen.Atom(c.Node))
			rs := []any{}
			for _, r := range routes {
				rs = append(rs, map[string]any{"host": r.Host, "port": r.Port, "tls": r.TLS, "handshake": r.HandshakeVersion.Str(), "proto": r.ProtoVersion.Str()})
			}
			res["routes"] = rs
			res["server"] = reg.Info().Server
			res["embedded"] = reg.Info().EmbeddedServer
		}
	case "registrar":
		var reg gen.Registrar
		reg, err = p.Node().Network().Registrar()
		if err == nil {
			res["server"] = reg.Info().Server
			res["embedded"] = reg.Info().EmbeddedServer
		}
	case "sleep":
		time.Sleep(time.Duration(c.Timeout) * time.Millisecond)
	default:
		res["err"] = "unknown op " + c.Op
		emit(res)
		return
	}
	res["err"] = errText(err)
	emit(res)
}

func remoteInfo(rn gen.RemoteNode) map[string]any {
	i := rn.Info()
	f, _ := json.Marshal(i.NetworkFlags)
	return map[string]any{
		"node":           string(i.Node),
		"creation":       rn.Creation(),
		"poolSize":       i.PoolSize,
		"poolDSN":        i.PoolDSN,
		"maxMessageSize": i.MaxMessageSize,
		"flags":          json.RawMessage(f),
		"version":        i.Version,
		"messagesIn":     i.MessagesIn,
		"messagesOut":    i.MessagesOut,
	}
}

func events(l []gen.MessageEvent) []any {
	out := []any{}
	for _, m := range l {
		out = append(out, map[string]any{"event": string(m.Event.Name), "node": string(m.Event.Node), "timestamp": m.Timestamp, "message": describe(m.Message)})
	}
	return out
}

func eventLine(proc string, m gen.MessageEvent) map[string]any {
	return map[string]any{"ev": "event", "proc": proc, "event": string(m.Event.Name), "node": string(m.Event.Node), "timestamp": m.Timestamp, "message": describe(m.Message)}
}
