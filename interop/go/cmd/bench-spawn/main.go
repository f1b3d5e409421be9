// bench-spawn: time to spawn -n idle gen.Server processes with Ergo's default options, and
// the memory each idle process holds (heap + goroutine stacks, after GC), for bench/spawn.ts.
// The Ergo release is the pinned Ergo 2.2.4 (the module proxy here cannot serve Ergo v3).
// Prints one JSON line: {"processes":…, "seconds":…, "bytesPerProcess":…}.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/ergo-services/ergo"
	"github.com/ergo-services/ergo/gen"
	"github.com/ergo-services/ergo/node"
)

type idle struct {
	gen.Server
}

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
	flag.Set("ergo.warning", "false")
	n := flag.Int("n", 1_000_000, "processes")
	flag.Parse()

	nd, err := ergo.StartNode("benchspawn@127.0.0.1", "cookie", node.Options{
		StaticRoutesOnly: true,
		Listeners:        []node.Listener{{Hostname: "127.0.0.1"}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	before := inUse()
	procs := make([]gen.Process, 0, *n)
	start := time.Now()
	for i := 0; i < *n; i++ {
		p, err := nd.Spawn("", gen.ProcessOptions{}, &idle{})
		if err != nil {
			panic(err)
		}
		procs = append(procs, p)
	}
	secs := time.Since(start).Seconds()
	time.Sleep(200 * time.Millisecond) // let every process loop park
	after := inUse()
	// The slice of handles is ours, not Ergo's: 16 bytes each.
	per := (float64(after) - float64(before) - float64(16**n)) / float64(*n)
	out, _ := json.Marshal(map[string]any{"processes": *n, "seconds": secs, "bytesPerProcess": per})
	fmt.Println(string(out))
	runtime.KeepAlive(procs)
	os.Exit(0)
}
