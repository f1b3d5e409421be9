// bench-spawn: time to spawn -n idle act.Actor processes on an Ergo v3 node with default
// process options, and the memory each idle process holds (heap plus goroutine stacks, from
// runtime.MemStats after GC), for bench/spawn.ts (the `ergo-go` rows).
// Prints one JSON line: {"processes", "seconds", "bytesPerProcess", "release"}.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"ergo.services/ergo"
	"ergo.services/ergo/act"
	"ergo.services/ergo/gen"

	"ergo-ts/interop/go/benchnode"
)

type idle struct {
	act.Actor
}

func factory() gen.ProcessBehavior { return &idle{} }

func inUse() uint64 {
	var m runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
		debug.FreeOSMemory()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

func main() {
	n := flag.Int("n", 1_000_000, "processes")
	flag.Parse()

	node, err := benchnode.Start("benchspawn@localhost")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pids := make([]gen.PID, 0, *n)
	before := inUse()
	start := time.Now()
	for i := 0; i < *n; i++ {
		pid, err := node.Spawn(factory, gen.ProcessOptions{})
		if err != nil {
			panic(err)
		}
		pids = append(pids, pid)
	}
	secs := time.Since(start).Seconds()
	time.Sleep(200 * time.Millisecond) // let every process that ran its Init go back to sleep
	after := inUse()
	if info, err := node.Info(); err != nil || info.ProcessesTotal < int64(*n) {
		panic(fmt.Sprintf("not every process is alive: %d, %v", info.ProcessesTotal, err))
	}
	// The slice of PIDs is ours, not Ergo's: its backing array was allocated before `before`.
	per := (float64(after) - float64(before)) / float64(*n)
	out, _ := json.Marshal(map[string]any{"processes": *n, "seconds": secs, "bytesPerProcess": per, "release": ergo.FrameworkVersion.Release})
	fmt.Println(string(out))
	runtime.KeepAlive(pids)
	os.Exit(0) // no graceful stop of a million processes
}
