// bench-ergo: the Go side of `npm run bench -- ergo`. One Go Ergo v3 node per OS process; the
// benchmark drives it with JSON lines on stdin and reads JSON lines from stdout:
//
//	{"op":"sinks","k":K,"n":N}                 K receivers that each count N messages
//	{"op":"send","to":[pid…],"n":N,"size":S}   one sender per target pid, N messages each
//	{"op":"echo"}                              register "echo", answering every call with its request
//	{"op":"calls","to":{pid},"n":N}            one caller, N sequential calls, latency percentiles
//	{"op":"stop"}
//
// A sink prints {"ev":"sink","first":ns,"last":ns,"count":N} when its N-th message arrived
// (wall clock of this process), so throughput is measured at the receiver.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"ergo.services/ergo"
	"ergo.services/ergo/act"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/registrar"
)

var (
	outMu sync.Mutex
	out   = bufio.NewWriter(os.Stdout)
)

func emit(v map[string]any) {
	b, _ := json.Marshal(v)
	outMu.Lock()
	out.Write(b)
	out.WriteByte('\n')
	out.Flush()
	outMu.Unlock()
}

type jpid struct {
	Node     string `json:"node"`
	ID       uint64 `json:"id"`
	Creation int64  `json:"creation"`
}

func (j jpid) pid() gen.PID { return gen.PID{Node: gen.Atom(j.Node), ID: j.ID, Creation: j.Creation} }

func toJSON(p gen.PID) jpid { return jpid{Node: string(p.Node), ID: p.ID, Creation: p.Creation} }

type command struct {
	ID   int    `json:"id"`
	Op   string `json:"op"`
	K    int    `json:"k"`
	N    int    `json:"n"`
	Size int    `json:"size"`
	To   []jpid `json:"to"`
}

// payload: a short string for small messages, S bytes otherwise.
func payload(size int) any {
	if size <= 0 {
		return "hello, ergo"
	}
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// sink counts messages; reports once the expected number arrived.
type sink struct {
	act.Actor
	want  int
	count int
	first int64
}

func (s *sink) Init(args ...any) error {
	s.want = args[0].(int)
	return nil
}

func (s *sink) HandleMessage(from gen.PID, message any) error {
	if s.count == 0 {
		s.first = time.Now().UnixNano()
	}
	s.count++
	if s.count == s.want {
		emit(map[string]any{"ev": "sink", "pid": toJSON(s.PID()), "first": s.first, "last": time.Now().UnixNano(), "count": s.count})
		s.count = 0
	}
	return nil
}

// sender sends N messages to one target as fast as Send returns.
type sender struct{ act.Actor }

type sendJob struct {
	To   gen.PID
	N    int
	Size int
}

func (s *sender) HandleMessage(from gen.PID, message any) error {
	job := message.(sendJob)
	msg := payload(job.Size)
	start := time.Now().UnixNano()
	for i := 0; i < job.N; i++ {
		if err := s.Send(job.To, msg); err != nil {
			emit(map[string]any{"ev": "error", "err": err.Error(), "at": i})
			return gen.TerminateReasonNormal
		}
	}
	emit(map[string]any{"ev": "sent", "n": job.N, "start": start, "end": time.Now().UnixNano()})
	return gen.TerminateReasonNormal
}

type echo struct{ act.Actor }

func (e *echo) HandleCall(from gen.PID, ref gen.Ref, request any) (any, error) {
	return request, nil
}

// caller makes N sequential calls and reports latency percentiles in microseconds.
type caller struct{ act.Actor }

type callJob struct {
	To gen.PID
	N  int
}

func (c *caller) HandleMessage(from gen.PID, message any) error {
	job := message.(callJob)
	lat := make([]float64, 0, job.N)
	for i := 0; i < job.N; i++ {
		t := time.Now()
		if _, err := c.Call(job.To, "ping"); err != nil {
			emit(map[string]any{"ev": "error", "err": err.Error(), "at": i})
			return gen.TerminateReasonNormal
		}
		lat = append(lat, float64(time.Since(t).Nanoseconds())/1000)
	}
	sort.Float64s(lat)
	pick := func(q float64) float64 { return lat[int(q*float64(len(lat)-1))] }
	emit(map[string]any{"ev": "calls", "n": job.N, "p50": pick(0.5), "p99": pick(0.99)})
	return gen.TerminateReasonNormal
}

func main() {
	name := flag.String("name", "bench@127.0.0.1", "node name")
	cookie := flag.String("cookie", "bench", "cookie")
	regPort := flag.Int("registrar-port", 0, "registrar port (a TS node serves it)")
	port := flag.Int("port", 0, "acceptor port")
	cpuProfile := flag.String("cpuprofile", "", "write a Go CPU profile of this node to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *regPort == 0 || *port == 0 {
		fmt.Fprintln(os.Stderr, "bench-ergo: -registrar-port and -port are required")
		os.Exit(2)
	}
	var opts gen.NodeOptions
	opts.Log.Level = gen.LogLevelWarning
	opts.Log.DefaultLogger.Output = os.Stderr
	opts.Env = map[gen.Env]any{"disable_metrics": true}
	opts.Network.Cookie = *cookie
	opts.Network.Registrar = registrar.Create(registrar.Options{Port: uint16(*regPort), DisableServer: true})
	opts.Network.Acceptors = []gen.AcceptorOptions{{Host: "127.0.0.1", Port: uint16(*port), PortRange: uint16(*port)}}
	node, err := ergo.StartNode(gen.Atom(*name), opts)
	if err != nil {
		emit(map[string]any{"ev": "start-failed", "err": err.Error()})
		os.Exit(1)
	}
	emit(map[string]any{"ev": "ready", "node": *name, "creation": node.Creation(), "release": ergo.FrameworkVersion.Release})

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			emit(map[string]any{"ev": "error", "err": err.Error()})
			continue
		}
		res := map[string]any{"ev": "result", "id": c.ID}
		switch c.Op {
		case "sinks":
			pids := []jpid{}
			for i := 0; i < c.K && err == nil; i++ {
				var pid gen.PID
				pid, err = node.Spawn(func() gen.ProcessBehavior { return &sink{} }, gen.ProcessOptions{}, c.N)
				pids = append(pids, toJSON(pid))
			}
			res["pids"] = pids
		case "send":
			for _, to := range c.To {
				var pid gen.PID
				pid, err = node.Spawn(func() gen.ProcessBehavior { return &sender{} }, gen.ProcessOptions{})
				if err == nil {
					err = node.Send(pid, sendJob{To: to.pid(), N: c.N, Size: c.Size})
				}
			}
		case "echo":
			var pid gen.PID
			pid, err = node.SpawnRegister("echo", func() gen.ProcessBehavior { return &echo{} }, gen.ProcessOptions{})
			res["pid"] = toJSON(pid)
		case "calls":
			var pid gen.PID
			pid, err = node.Spawn(func() gen.ProcessBehavior { return &caller{} }, gen.ProcessOptions{})
			if err == nil {
				err = node.Send(pid, callJob{To: c.To[0].pid(), N: c.N})
			}
		case "stop":
			node.Stop()
			pprof.StopCPUProfile()
			return
		default:
			res["err"] = "unknown op " + c.Op
		}
		if err != nil {
			res["err"] = err.Error()
			err = nil
		}
		emit(res)
	}
	node.Stop()
}
