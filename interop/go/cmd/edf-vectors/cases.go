package main

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"ergo.services/ergo/gen"

	ec "ergo-ts/interop/go/edfcases"
)

func str(n int, unit string) string {
	return strings.Repeat(unit, n/len(unit)+1)[:n]
}

var (
	pid1     = gen.PID{Node: nodeName, ID: 1000, Creation: 1700000000}
	pid2     = gen.PID{Node: peerName, ID: 1001, Creation: 1700000001}
	pidBig   = gen.PID{Node: "b@h", ID: 0xfedcba9876543210, Creation: -1}
	ref1     = gen.Ref{Node: nodeName, Creation: 1700000000, ID: [3]uint64{4711 & (2<<17 - 1), 0, 0}}
	refGo    = gen.Ref{Node: nodeName, Creation: 1700000000, ID: [3]uint64{0x2b3c1, 0x3, 0}} // node.MakeRef: ID[0] 18 bits, ID[1] = counter>>46
	refTS    = gen.Ref{Node: peerName, Creation: 1700000001, ID: [3]uint64{0x00000001_00000005, 0x9e3779b9, 0}}
	refFull  = gen.Ref{Node: peerName, Creation: math.MinInt64, ID: [3]uint64{math.MaxUint64, 1 << 63, 0x0123456789abcdef}}
	refDead  = gen.Ref{Node: nodeName, Creation: 7, ID: [3]uint64{5, 0, 1900000000}} // 3.2's MakeRefWithDeadline puts unix seconds in ID[2]
	alias1   = gen.Alias{Node: nodeName, Creation: 1700000000, ID: [3]uint64{77, 0, 0}}
	aliasTS  = gen.Alias{Node: peerName, Creation: 1700000001, ID: [3]uint64{0x00000002_00000007, 0x9e3779b9, 0}}
	event1   = gen.Event{Name: "prices", Node: nodeName}
	procID1  = gen.ProcessID{Name: "worker", Node: peerName}
	utc      = time.Date(2024, 3, 1, 12, 30, 45, 123456789, time.UTC)
	errPlain = errors.New("something failed")
)

func (g *generator) scalars() {
	g.add("bool true", true)
	g.add("bool false", false)
	for _, v := range []int{0, 1, -1, 42, 255, 65536, 1<<31 - 1, -(1 << 31), 1<<53 - 1, -(1<<53 - 1), 1 << 53, -(1 << 53), 1<<53 + 1, math.MaxInt64, math.MinInt64} {
		g.add(fmt.Sprintf("int %d", v), v)
	}
	for _, v := range []int8{0, 1, -1, 127, -128} {
		g.add(fmt.Sprintf("int8 %d", v), v)
	}
	for _, v := range []int16{0, -1, 32767, -32768} {
		g.add(fmt.Sprintf("int16 %d", v), v)
	}
	for _, v := range []int32{0, -1, math.MaxInt32, math.MinInt32} {
		g.add(fmt.Sprintf("int32 %d", v), v)
	}
	for _, v := range []int64{0, 42, -1, 1<<53 + 1, math.MaxInt64, math.MinInt64} {
		g.add(fmt.Sprintf("int64 %d", v), v)
	}
	for _, v := range []uint8{0, 1, 128, 255} {
		g.add(fmt.Sprintf("uint8 %d", v), v)
	}
	for _, v := range []uint16{0, 65535} {
		g.add(fmt.Sprintf("uint16 %d", v), v)
	}
	for _, v := range []uint32{0, math.MaxUint32} {
		g.add(fmt.Sprintf("uint32 %d", v), v)
	}
	for _, v := range []uint64{0, 1<<53 + 1, 1 << 63, math.MaxUint64} {
		g.add(fmt.Sprintf("uint64 %d", v), v)
	}
	for _, v := range []uint{0, 7, math.MaxUint64} {
		g.add(fmt.Sprintf("uint %d", v), v)
	}
	f32 := map[string]float32{
		"3.14": 3.14, "0": 0, "-0": float32(math.Copysign(0, -1)), "+Inf": float32(math.Inf(1)), "-Inf": float32(math.Inf(-1)),
		"NaN": float32(math.NaN()), "smallest subnormal": math.SmallestNonzeroFloat32, "max": math.MaxFloat32, "1": 1,
	}
	for _, k := range []string{"3.14", "0", "-0", "+Inf", "-Inf", "NaN", "smallest subnormal", "max", "1"} {
		g.add("float32 "+k, f32[k])
	}
	f64 := map[string]float64{
		"3.14": 3.14, "0": 0, "-0": math.Copysign(0, -1), "+Inf": math.Inf(1), "-Inf": math.Inf(-1), "NaN": math.NaN(),
		"1": 1, "-2": -2, "1e20": 1e20, "2^53": 1 << 53, "0.1": 0.1, "smallest subnormal": math.SmallestNonzeroFloat64, "max": math.MaxFloat64,
	}
	for _, k := range []string{"3.14", "0", "-0", "+Inf", "-Inf", "NaN", "1", "-2", "1e20", "2^53", "0.1", "smallest subnormal", "max"} {
		g.add("float64 "+k, f64[k])
	}
	g.add("string empty", "")
	g.add("string abc", "abc")
	g.add("string héllo (bytes, not chars)", "héllo")
	g.add("string 4-byte UTF-8", "ergo 🚀 ts")
	g.add("string NUL inside", "a\x00b")
	g.add("string 255 bytes", str(255, "x"))
	g.add("string 256 bytes", str(256, "y"))
	g.add("string 65533 bytes (the longest Go decodes)", str(65533, "z"))
	g.add("string 65534 bytes (Go encodes, Go cannot decode)", str(65534, "q"), noEncode,
		note("Go's decodeString computes 2+len in uint16: 65534 and 65535 wrap; we decode them but refuse to encode more than 65533"))
	g.add("binary empty", []byte{})
	g.add("binary nil (no nil form)", []byte(nil))
	g.add("binary 1..5", []byte{1, 2, 3, 4, 5})
	g.add("binary 1000 bytes", []byte(str(1000, "\x00\x01\xfe\xff")))
	g.add("atom hello world", gen.Atom("hello world"))
	g.add("atom empty", gen.Atom(""))
	g.add("atom UTF-8", gen.Atom("атом"))
	g.add("atom 255 bytes", gen.Atom(str(255, "a")))
}

func (g *generator) framework() {
	g.add("pid", pid1)
	g.add("pid 64-bit id, creation -1", pidBig)
	g.add("pid zero", gen.PID{})
	g.add("processId", procID1)
	g.add("processId empty node", gen.ProcessID{Name: "local"})
	g.add("event", event1)
	g.add("ref made like node.MakeRef", refGo)
	g.add("ref small", ref1)
	g.add("ref a TS runtime makes (three 32-bit words)", refTS)
	g.add("ref every ID bit pattern", refFull)
	g.add("ref with a deadline in ID[2] (Ergo 3.2 layout)", refDead)
	g.add("ref zero", gen.Ref{})
	g.add("alias", alias1)
	g.add("alias a TS runtime makes", aliasTS)
	g.add("time zero", time.Time{})
	g.add("time UTC with ns", utc)
	g.add("time unix epoch", time.Unix(0, 0).UTC())
	g.add("time year 1399", time.Date(1399, 1, 26, 0, 0, 0, 0, time.UTC))
	g.add("time year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC))
	g.add("time fixed zone +01:30", utc.In(time.FixedZone("X", 90*60)))
	g.add("time fixed zone -05:00", utc.In(time.FixedZone("EST", -5*3600)))
	g.add("time fixed zone +00:00 is not UTC", utc.In(time.FixedZone("Z0", 0)))
	g.add("time fixed zone +01:00:07 (V2)", utc.In(time.FixedZone("odd", 3607)))
	g.add("time before 1970 with ns", time.Date(1969, 7, 20, 20, 17, 40, 5, time.UTC))
}

func (g *generator) errors() {
	g.add("error inline", errPlain)
	g.add("error empty message", errors.New(""))
	g.add("error UTF-8 message", errors.New("échec ⚠"))
	g.add("error wrapped with %w", fmt.Errorf("call failed: %w", errPlain))
	g.add("error framework timeout inline (no caches)", gen.ErrTimeout)
	g.add("error normal inline (no caches)", gen.TerminateReasonNormal)
	g.add("error 32767 bytes", errors.New(str(32767, "e")))
	g.add("error with % (Go re-reads it as a format)", errors.New("100% done"),
		note("Go decodes an inline error with fmt.Errorf(message)"))
	g.add("[]error with nil", []error{errors.New("abcd"), nil, errors.New("abcd")})
	g.add("[]any with error and nil", []any{errors.New("abcd"), nil, errors.New("abcd")})
}

func (g *generator) slices() {
	g.add("[]int", []int{1, 2, 3})
	g.add("[]int nil", []int(nil))
	g.add("[]int empty", []int{})
	g.add("[]int8", []int8{-1, 0, 1})
	g.add("[]uint16", []uint16{1, 65535})
	g.add("[]int64", []int64{math.MinInt64, math.MaxInt64})
	g.add("[]uint64", []uint64{math.MaxUint64})
	g.add("[]float32", []float32{3.14, 3.15, 3.16})
	g.add("[]float64", []float64{0.5, math.Inf(1)})
	g.add("[]bool", []bool{true, false, true})
	g.add("[]string", []string{"a", "", "ccc"})
	g.add("[]string nil", []string(nil))
	g.add("[]gen.Atom", []gen.Atom{"a", "b"})
	g.add("[]gen.PID", []gen.PID{pid1, pid2})
	g.add("[]gen.Ref", []gen.Ref{refGo, refTS})
	g.add("[]gen.Alias", []gen.Alias{alias1})
	g.add("[]gen.Event", []gen.Event{event1})
	g.add("[]gen.ProcessID", []gen.ProcessID{procID1})
	g.add("[]time.Time", []time.Time{utc, {}})
	g.add("[][]byte", [][]byte{{1}, nil, {}})
	g.add("[][]float32", [][]float32{{3.14, 3.15, 3.16}, {3.16}, nil, {3.14, 3.15}, {}})
	g.add("[][]any", [][]any{{1, "a"}, nil})
	g.add("[]any empty", []any{})
	g.add("[]any nil", []any(nil))
	g.add("[]any of nils", []any{nil, nil, nil})
	g.add("[]any ints of every width", []any{int(1), int8(2), int16(3), int32(4), int64(5), uint(6), uint8(7), uint16(8), uint32(9), uint64(10)})
	g.add("[]any JS-number-like values", []any{int(42), float64(1.5), math.Copysign(0, -1), float64(3), int(-7), float64(1e20), int(1<<53 + 1)},
		note("a plain JS integral number maps to Go int (0x96); -0, fractions and integral floats stay float64"))
	g.add("[]any mixed kinds", []any{"s", gen.Atom("a"), true, 2.5, []byte{9}, pid1, refGo, alias1, event1, procID1, utc, errPlain})
	g.add("[]any holding typed slices", []any{[]int{4}, nil, []float32{3.14, 3.15, 3.16}, nil})
	g.add("[]any typed nil []gen.PID", []any{[]gen.PID(nil)})
	g.add("[]any nested []any", []any{[]any{[]any{"deep"}}})
	g.add("[]any holding a map", []any{map[string]int{"one": 1}})
	g.add("[]MyInt (registered elements)", []ec.MyInt{1, 2})
	g.add("[]Point", []ec.Point{{X: 1, Y: 2}, {X: 3, Y: 4}})
	g.add("[]Point nil", []ec.Point(nil))
	g.add("[]MyStrings (registered slice elements)", []ec.MyStrings{{"a"}, nil, {}})
	g.add("[]Empty (zero-size elements)", []ec.Empty{{}, {}, {}})
	g.add("[]Empty with 0 elements", []ec.Empty{})
}

func (g *generator) arrays() {
	g.add("[2]string", [2]string{"hello", "world"})
	g.add("[0]string", [0]string{})
	g.add("[3]int16", [3]int16{-1, 0, 1})
	g.add("[4]byte (array of uint8)", [4]byte{1, 2, 3, 4})
	g.add("[2][2]int8", [2][2]int8{{1, 2}, {3, 4}})
	g.add("[2]any", [2]any{nil, "x"})
	g.add("[]([2]bool)", [][2]bool{{true, false}})
	g.add("[1]Point", [1]ec.Point{{X: 5, Y: 6}})
	g.add("[2]gen.PID", [2]gen.PID{pid1, {}})
	g.add("[1][0]string (zero-size elements)", [1][0]string{})
	g.add("[2]Empty (zero-size elements)", [2]ec.Empty{})
	g.add("[]any{[1][0]string, \"x\"}", []any{[1][0]string{}, "x"})
}

func (g *generator) maps() {
	g.add("map[string]int one entry", map[string]int{"a": 1})
	g.add("map[string]int ten entries", func() map[string]int {
		m := map[string]int{}
		for i := 0; i < 10; i++ {
			m[fmt.Sprintf("key-%d", i)] = i * 1000
		}
		return m
	}())
	g.add("map[string]int nil", map[string]int(nil))
	g.add("map[string]int empty", map[string]int{})
	g.add("map[int16]string", map[int16]string{8: "hello", 9: "world"})
	g.add("map[string]any", map[string]any{"hello": nil, "helloo": map[float32]any{3.16: uint16(3)}})
	g.add("map[any]string with a nil key", map[any]string{nil: "hello", int16(9): "world"})
	g.add("map[any]any", map[any]any{"k": int(1), gen.Atom("a"): []any{true}})
	g.add("map[gen.Atom]gen.PID", map[gen.Atom]gen.PID{"worker": pid1})
	g.add("map[gen.PID]bool", map[gen.PID]bool{pid1: true})
	g.add("map[gen.Ref]string", map[gen.Ref]string{refTS: "call"})
	g.add("map[string]map[string]int", map[string]map[string]int{"x": {"y": 7}})
	g.add("map[int16]map[string]int with a nil value", map[int16]map[string]int{8: nil, 9: {"world": 10}})
	g.add("map[bool][]string", map[bool][]string{true: {"yes"}, false: nil})
	g.add("map[float64]string", map[float64]string{0.5: "half"})
	g.add("map[uint8]uint8", map[uint8]uint8{1: 2})
	g.add("map[Point]string (registered key)", map[ec.Point]string{{X: 1, Y: 2}: "p"})
	g.add("map[string]Point (registered value)", map[string]ec.Point{"origin": {}})
	g.add("map[MyString]MyInt", map[ec.MyString]ec.MyInt{"k": 5})
	g.add("map[gen.Env]any", map[gen.Env]any{"x": int(1)})
}

func (g *generator) registered() {
	g.add("MyInt", ec.MyInt(-5))
	g.add("MyInt8", ec.MyInt8(-8))
	g.add("MyUint16", ec.MyUint16(65535))
	g.add("MyFloat32", ec.MyFloat32(3.14))
	g.add("MyFloat64", ec.MyFloat64(-0.25))
	g.add("MyBool", ec.MyBool(true))
	g.add("MyString", ec.MyString("named"))
	g.add("MyAtoms", ec.MyAtoms{"a", "b"})
	g.add("MyStrings", ec.MyStrings{"true", "false"})
	g.add("MyStrings nil", ec.MyStrings(nil))
	g.add("MyStrings empty", ec.MyStrings{})
	g.add("MyBytes (registered []byte is a slice of uint8)", ec.MyBytes{1, 2, 3})
	g.add("MyTriple", ec.MyTriple{1, -2, 3})
	g.add("MyStrIntMap", ec.MyStrIntMap{"a": 1})
	g.add("MyStrIntMap nil", ec.MyStrIntMap(nil))
	g.add("MyStrIntMap empty", ec.MyStrIntMap{})
	g.add("MyPIDs", ec.MyPIDs{"w": pid2})
	g.add("MyPairNames (registered map with an array key)", ec.MyPairNames{{1, 2}: "one-two"})
	g.add("Point", ec.Point{X: 1, Y: 2})
	g.add("Empty", ec.Empty{})
	g.add("Inner", ec.Inner{Name: "inner", ID: 7})
	g.add("Complex", ec.BenchComplex(0))
	g.add("Complex zero", ec.Complex{})
	g.add("Nested", ec.Nested{Name: "nested", Items: []ec.Complex{ec.BenchComplex(1), ec.BenchComplex(2)}})
	g.add("Nested nil items", ec.Nested{Name: "none"})
	g.add("WithAny int", ec.WithAny{Label: "int", Value: 42, List: []any{1, "two"}, Dict: map[string]any{"k": gen.Atom("v")}})
	g.add("WithAny nil", ec.WithAny{})
	g.add("WithAny holding a struct", ec.WithAny{Label: "struct", Value: ec.Point{X: 9, Y: 8}})
	g.add("WithAny holding a registered slice", ec.WithAny{Value: ec.MyStrings{"x"}})
	g.add("WithAny holding an error", ec.WithAny{Value: errPlain})
	g.add("Embedded", ec.Embedded{Point: ec.Point{X: 3, Y: 4}, Tag: "t"})
	g.add("AllKinds zero", ec.AllKinds{})
	g.add("AllKinds full", ec.AllKinds{
		Bool: true, Int: -1, Int8: -2, Int16: -3, Int32: -4, Int64: -5, Uint: 6, Uint8: 7, Uint16: 8, Uint32: 9, Uint64: 10,
		Float32: 1.5, Float64: -2.25, String: "s", Binary: []byte{0xca, 0xfe}, Atom: "atom", Error: errPlain, Any: []any{int8(1)},
		PID: pid1, ProcessID: procID1, Alias: alias1, Event: event1, Ref: refTS, Time: utc, Slice: []int16{1}, Array: [2]uint8{1, 2},
		Map: map[gen.Atom]bool{"on": true}, Named: 11, NamedList: ec.MyStrings{"n"}, NamedMap: ec.MyStrIntMap{"m": 1},
		Struct: ec.Point{X: 1}, Structs: []ec.Point{{X: 2, Y: 3}}, ByName: map[string]ec.Inner{"i": {Name: "in", ID: 1}},
	})
	g.add("Blob (MarshalEDF)", ec.Blob{A: 513, B: "blob"})
	g.add("Blob zero", ec.Blob{})
	g.add("Stamp (MarshalBinary)", ec.Stamp{Seconds: 1700000000})
	g.add("[]Blob", []ec.Blob{{A: 1, B: "x"}, {}})
	g.add("Chunk (MarshalEDF) of 100 bytes", ec.Chunk{Data: []byte(str(100, "c"))})
	g.add("Chunk (MarshalEDF) of 5000 bytes: Go's length slot is lost when the buffer grows", ec.Chunk{Data: []byte(str(5000, "d"))},
		bufCap(64), expectError("ERR_EDF_TRAILING"), note("encoded into a fresh 64-byte lib.Buffer: MarshalEDF's Write reallocates the buffer after the u32 length slot was taken, so the length (0 here; stale bytes with a pooled buffer) never reaches the output"))
}
