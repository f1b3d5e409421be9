package main

import (
	"errors"
	"fmt"
	"time"

	"ergo.services/ergo/act"
	"ergo.services/ergo/gen"
)

var (
	echoAlias gen.Alias
	echoReady = make(chan struct{})
	tokens    = map[gen.Atom]gen.Ref{}
)

// echo: the registered process remote nodes talk to.
type echo struct{ act.Actor }

func factoryEcho() gen.ProcessBehavior { return &echo{} }

func (e *echo) Init(args ...any) error {
	e.SetTrapExit(true)
	// Aliases and events can only be made once running: ask ourselves to do it.
	return e.Send(e.PID(), "setup")
}

func (e *echo) setup() error {
	a, err := e.CreateAlias()
	if err != nil {
		return err
	}
	echoAlias = a
	t, err := e.RegisterEvent("ev1", gen.EventOptions{Buffer: 4})
	if err != nil {
		return err
	}
	tokens["ev1"] = t
	close(echoReady)
	return nil
}

func (e *echo) HandleMessage(from gen.PID, message any) error {
	if message == "setup" && from == e.PID() {
		return e.setup()
	}
	if c, ok := message.(command); ok {
		run(&e.Actor, c)
		return nil
	}
	emit(received("echo", from, message))
	return nil
}

func (e *echo) HandleCall(from gen.PID, ref gen.Ref, request any) (any, error) {
	r := received("echo", from, request)
	r["ev"] = "call"
	r["ref"] = jsonRef(ref)
	emit(r)
	if request == "fail" {
		e.SendResponseError(from, ref, errors.New("custom failure"))
		return nil, nil
	}
	if request == "slow" {
		time.Sleep(200 * time.Millisecond)
	}
	return request, nil
}

func (e *echo) HandleEvent(m gen.MessageEvent) error {
	emit(eventLine("echo", m))
	return nil
}

// tester: runs the commands and reports what its links and monitors bring.
type tester struct{ act.Actor }

func factoryTester() gen.ProcessBehavior { return &tester{} }

func (t *tester) Init(args ...any) error {
	t.SetTrapExit(true)
	return nil
}

func (t *tester) HandleMessage(from gen.PID, message any) error {
	if c, ok := message.(command); ok {
		run(&t.Actor, c)
		return nil
	}
	emit(received("tester", from, message))
	return nil
}

func (t *tester) HandleCall(from gen.PID, ref gen.Ref, request any) (any, error) {
	return request, nil
}

func (t *tester) HandleEvent(m gen.MessageEvent) error {
	emit(eventLine("tester", m))
	return nil
}

// worker: what "worker" / "restricted" spawn; also the member of app1 and the victims.
type worker struct {
	act.Actor
	name string
}

func factoryWorker() gen.ProcessBehavior { return &worker{} }

func (w *worker) Init(args ...any) error {
	if len(args) == 2 && args[0] == "victim" {
		// A local process other nodes link to / monitor by pid, name, alias and event.
		w.name = args[1].(string)
		return w.Send(w.PID(), "setup")
	}
	as := []any{}
	for _, a := range args {
		as = append(as, describe(a))
	}
	emit(map[string]any{"ev": "spawned", "pid": jsonPID(w.PID()), "parent": jsonPID(w.Parent()), "args": as})
	return nil
}

func (w *worker) setup() error {
	a, err := w.CreateAlias()
	if err != nil {
		return err
	}
	tok, err := w.RegisterEvent(gen.Atom(w.name), gen.EventOptions{})
	if err != nil {
		return err
	}
	tokens[gen.Atom(w.name)] = tok
	emit(map[string]any{"ev": "victim", "name": w.name, "pid": jsonPID(w.PID()), "alias": jsonAlias(a)})
	return nil
}

func (w *worker) HandleMessage(from gen.PID, message any) error {
	if message == "setup" && from == w.PID() {
		return w.setup()
	}
	if s, ok := message.(string); ok && len(s) > 5 && s[:5] == "stop:" {
		return reasonOf(s[5:])
	}
	if s, ok := message.(string); ok && len(s) > 5 && s[:5] == "hold:" {
		// Keep the mailbox shut for a while (what arrives meanwhile stays queued).
		var ms int
		fmt.Sscan(s[5:], &ms)
		emit(map[string]any{"ev": "holding", "pid": jsonPID(w.PID()), "ms": ms})
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return nil
	}
	emit(received("worker", from, message))
	return nil
}

func (w *worker) HandleCall(from gen.PID, ref gen.Ref, request any) (any, error) {
	emit(map[string]any{"ev": "call", "proc": "worker", "from": jsonPID(from), "msg": describe(request)})
	return request, nil
}

func (w *worker) Terminate(reason error) {
	emit(map[string]any{"ev": "terminated", "pid": jsonPID(w.PID()), "name": w.name, "reason": fmt.Sprint(reason)})
}

// app1: an application remote nodes may start.
type app struct{}

func (a *app) Load(node gen.Node, args ...any) (gen.ApplicationSpec, error) {
	return gen.ApplicationSpec{
		Name:  "app1",
		Group: []gen.ApplicationMemberSpec{{Name: "appworker", Factory: factoryWorker}},
		Mode:  gen.ApplicationModeTemporary,
	}, nil
}

func (a *app) Start(mode gen.ApplicationMode) {
	emit(map[string]any{"ev": "app-started", "name": "app1", "mode": int(mode)})
}

func (a *app) Terminate(reason error) {}

// reasonOf maps reason text to the framework's errors, so Go sees them by identity.
func reasonOf(s string) error {
	switch s {
	case "normal":
		return gen.TerminateReasonNormal
	case "shutdown":
		return gen.TerminateReasonShutdown
	case "kill":
		return gen.TerminateReasonKill
	}
	return errors.New(s)
}
