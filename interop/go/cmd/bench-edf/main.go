// bench-edf: EDF encode and decode with the real net/edf of the pinned Ergo release, on the
// values bench/edf.ts encodes in TypeScript (edfcases/bench.go): string, map (map[string]int,
// 10 keys), complex (a registered struct: strings, ints, a float, a bool, a slice of 5 ints, a
// nested registered struct) and nested (a registered struct holding 10 complex).
//
// Options are what a Go connection uses minus the per-peer dictionaries: Cache (net/proto's
// per-connection memo of encoders and decoders) and no Atom/Reg/Err caches, so both sides write
// the same bytes (names inline). Timing is Go's testing.Benchmark, best of -rounds.
// Prints one JSON line: {"release", "go", "results": [{"case","op","nsPerOp","allocsPerOp","hex"}]}.
package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"ergo.services/ergo"
	"ergo.services/ergo/lib"
	"ergo.services/ergo/net/edf"

	"ergo-ts/interop/go/edfcases"
)

type result struct {
	Case        string  `json:"case"`
	Op          string  `json:"op"`
	NsPerOp     float64 `json:"nsPerOp"`
	AllocsPerOp int64   `json:"allocsPerOp"`
	Hex         string  `json:"hex,omitempty"`
}

func main() {
	benchtime := flag.Duration("benchtime", time.Second, "time per measurement")
	rounds := flag.Int("rounds", 2, "measurements per case and op (the best is kept)")
	only := flag.String("case", "", "measure only this case (default: all)")
	flag.Parse()
	testing.Init()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		fail(err)
	}
	if err := edfcases.Register(); err != nil {
		fail(err)
	}

	cases := []struct {
		name  string
		value any
	}{
		{"string", edfcases.BenchString},
		{"map", edfcases.BenchMap()},
		{"complex", edfcases.BenchComplex(0)},
		{"nested", edfcases.BenchNested()},
	}
	var out []result
	for _, c := range cases {
		if *only != "" && c.name != *only {
			continue
		}
		encOpts := edf.Options{Cache: new(sync.Map)}
		decOpts := edf.Options{Cache: new(sync.Map)}
		buf := lib.TakeBuffer()
		if err := edf.Encode(c.value, buf, encOpts); err != nil {
			fail(fmt.Errorf("%s: %w", c.name, err))
		}
		data := append([]byte(nil), buf.B...)
		if _, _, err := edf.Decode(data, decOpts); err != nil {
			fail(fmt.Errorf("%s: %w", c.name, err))
		}
		enc := func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := edf.Encode(c.value, buf, encOpts); err != nil {
					b.Fatal(err)
				}
			}
		}
		dec := func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, _, err := edf.Decode(data, decOpts); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, op := range []struct {
			name string
			fn   func(*testing.B)
		}{{"encode", enc}, {"decode", dec}} {
			best := result{Case: c.name, Op: op.name}
			for r := 0; r < *rounds; r++ {
				res := testing.Benchmark(op.fn)
				ns := float64(res.T.Nanoseconds()) / float64(res.N)
				if best.NsPerOp == 0 || ns < best.NsPerOp {
					best.NsPerOp = ns
					best.AllocsPerOp = res.AllocsPerOp()
				}
			}
			if op.name == "encode" {
				best.Hex = hex.EncodeToString(data)
			}
			out = append(out, best)
		}
		lib.ReleaseBuffer(buf)
	}
	line, _ := json.Marshal(map[string]any{"release": ergo.FrameworkVersion.Release, "go": runtime.Version(), "results": out})
	fmt.Println(string(line))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-edf:", err)
	os.Exit(1)
}
