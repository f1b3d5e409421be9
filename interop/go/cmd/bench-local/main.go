// bench-local: local messaging throughput of Ergo (the pinned release, Ergo 2.2.4 — the
// module proxy here cannot serve Ergo v3) for bench/local.ts.
//
// Cases (as ergo-services/benchmarks "ping" describes them):
//
//	1-1: one sender process sends -n messages to one receiver process;
//	N-N: -pairs sender processes each send -n messages to their own receiver.
//
// Prints one JSON line: {"case":…, "messages":…, "seconds":…}.
//
// The node uses static routes only (no EPMD, no registrar) and listens on 127.0.0.1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/ergo-services/ergo"
	"github.com/ergo-services/ergo/etf"
	"github.com/ergo-services/ergo/gen"
	"github.com/ergo-services/ergo/lib"
	"github.com/ergo-services/ergo/node"
)

type receiver struct {
	gen.Server
}

type receiverState struct {
	want int
	got  int
	done *sync.WaitGroup
}

func (r *receiver) Init(process *gen.ServerProcess, args ...etf.Term) error {
	process.State = &receiverState{want: args[0].(int), done: args[1].(*sync.WaitGroup)}
	return nil
}

func (r *receiver) HandleInfo(process *gen.ServerProcess, message etf.Term) gen.ServerStatus {
	st := process.State.(*receiverState)
	st.got++
	if st.got == st.want {
		st.done.Done()
	}
	return gen.ServerStatusOK
}

type sender struct {
	gen.Server
}

type senderState struct {
	to etf.Pid
	n  int
}

func (s *sender) Init(process *gen.ServerProcess, args ...etf.Term) error {
	process.State = &senderState{to: args[0].(etf.Pid), n: args[1].(int)}
	return nil
}

func (s *sender) HandleInfo(process *gen.ServerProcess, message etf.Term) gen.ServerStatus {
	st := process.State.(*senderState)
	for i := 0; i < st.n; i++ {
		// Ergo 2 mailboxes are bounded channels: a full one refuses the message, so retry.
		for process.Send(st.to, i) == lib.ErrProcessMailboxFull {
			runtime.Gosched()
		}
	}
	return gen.ServerStatusOK
}

func main() {
	flag.Set("ergo.warning", "false")
	which := flag.String("case", "1-1", "1-1 or N-N")
	n := flag.Int("n", 3_000_000, "messages per sender")
	pairs := flag.Int("pairs", runtime.NumCPU(), "sender/receiver pairs for N-N")
	flag.Parse()

	nd, err := ergo.StartNode("benchlocal@127.0.0.1", "cookie", node.Options{
		StaticRoutesOnly: true,
		Listeners:        []node.Listener{{Hostname: "127.0.0.1"}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer nd.Stop()

	k := 1
	if *which == "N-N" {
		k = *pairs
	}
	var done sync.WaitGroup
	done.Add(k)
	senders := make([]gen.Process, k)
	for i := 0; i < k; i++ {
		// 65535 is the largest mailbox Ergo 2 allows (uint16).
		rcv, err := nd.Spawn("", gen.ProcessOptions{MailboxSize: 65535}, &receiver{}, *n, &done)
		if err != nil {
			panic(err)
		}
		snd, err := nd.Spawn("", gen.ProcessOptions{}, &sender{}, rcv.Self(), *n)
		if err != nil {
			panic(err)
		}
		senders[i] = snd
	}
	start := time.Now()
	for _, s := range senders {
		if err := s.Send(s.Self(), "go"); err != nil {
			panic(err)
		}
	}
	done.Wait()
	secs := time.Since(start).Seconds()
	out, _ := json.Marshal(map[string]any{"case": *which, "messages": k * *n, "seconds": secs})
	fmt.Println(string(out))
}
