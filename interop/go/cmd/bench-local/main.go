// bench-local: local messaging throughput of Ergo v3 (act.Actor processes on one node), for
// bench/local.ts (the `ergo-go` rows).
//
//	1-1: one sender process sends -n messages to one receiver process;
//	N-N: -pairs senders each send -n messages to their own receiver.
//
// A sender sends all its messages from one HandleMessage call; the receivers run concurrently
// (Ergo wakes a process goroutine per mailbox). Timing starts when the first sender is told to
// go and stops when the last receiver has counted its last message.
// Prints one JSON line: {"case", "messages", "seconds", "release"}.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"ergo.services/ergo"
	"ergo.services/ergo/act"
	"ergo.services/ergo/gen"

	"ergo-ts/interop/go/benchnode"
)

type receiver struct {
	act.Actor
	want int
	got  int
	done *sync.WaitGroup
}

func (r *receiver) Init(args ...any) error {
	r.want = args[0].(int)
	r.done = args[1].(*sync.WaitGroup)
	return nil
}

func (r *receiver) HandleMessage(from gen.PID, message any) error {
	r.got++
	if r.got == r.want {
		r.done.Done()
	}
	return nil
}

type sender struct {
	act.Actor
	to gen.PID
	n  int
}

func (s *sender) Init(args ...any) error {
	s.to = args[0].(gen.PID)
	s.n = args[1].(int)
	return nil
}

func (s *sender) HandleMessage(from gen.PID, message any) error {
	for i := 0; i < s.n; i++ {
		if err := s.Send(s.to, i); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	which := flag.String("case", "1-1", "1-1 or N-N")
	n := flag.Int("n", 3_000_000, "messages per sender")
	pairs := flag.Int("pairs", runtime.NumCPU(), "sender/receiver pairs for N-N")
	flag.Parse()

	node, err := benchnode.Start("benchlocal@localhost")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer node.StopForce()

	k := 1
	if *which == "N-N" {
		k = *pairs
	}
	var done sync.WaitGroup
	done.Add(k)
	senders := make([]gen.PID, k)
	for i := 0; i < k; i++ {
		rcv, err := node.Spawn(func() gen.ProcessBehavior { return &receiver{} }, gen.ProcessOptions{}, *n, &done)
		if err != nil {
			panic(err)
		}
		snd, err := node.Spawn(func() gen.ProcessBehavior { return &sender{} }, gen.ProcessOptions{}, rcv, *n)
		if err != nil {
			panic(err)
		}
		senders[i] = snd
	}
	start := time.Now()
	for _, s := range senders {
		if err := node.Send(s, "go"); err != nil {
			panic(err)
		}
	}
	done.Wait()
	secs := time.Since(start).Seconds()
	out, _ := json.Marshal(map[string]any{"case": *which, "messages": k * *n, "seconds": secs, "release": ergo.FrameworkVersion.Release})
	fmt.Println(string(out))
}
