// edf-vectors: EDF test vectors from the real net/edf of the pinned Ergo release, for
// proto-spec/vectors/edf/go.json. Every byte sequence below is what edf.Encode writes (or,
// for the rejection cases, bytes edf.Decode refuses), and every stated value is the Go value
// itself in typed JSON (EJSON, see edfcases/ejson.go). Go also decodes each of its own
// encodings back; where it cannot, the case says so (goDecodeError): those are Go quirks.
//
//	go run ./cmd/edf-vectors -o ../../proto-spec/vectors/edf/go.json
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"sync"

	"ergo.services/ergo"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/lib"
	"ergo.services/ergo/net/edf"

	"ergo-ts/interop/go/edfcases"
)

// Case is one vector, in the format test/codec/edf/vectors.test.ts reads.
type Case struct {
	Name          string            `json:"name"`
	Hex           string            `json:"hex"`
	Value         json.RawMessage   `json:"value,omitempty"`
	Source        string            `json:"source"`
	Caches        string            `json:"caches,omitempty"`
	Encode        *bool             `json:"encode,omitempty"`
	MapOrder      bool              `json:"mapOrder,omitempty"`
	Error         string            `json:"error,omitempty"`
	EncodeFrom    json.RawMessage   `json:"encodeFrom,omitempty"`
	AtomMapping   map[string]string `json:"atomMapping,omitempty"`
	GoError       string            `json:"goError,omitempty"`
	GoDecodeError string            `json:"goDecodeError,omitempty"`
	Note          string            `json:"note,omitempty"`
	bufCap        int
}

// Fact is something the Go side refuses or does that no byte vector can state.
type Fact struct {
	What   string `json:"what"`
	Result string `json:"result"`
}

type generator struct {
	conv   *edfcases.Conv
	own    edfcases.Tables
	enc    edf.Options
	dec    edf.Options
	cases  []*Case
	names  map[string]bool
	facts  []Fact
	cacheJ map[string]any
}

type opt func(*Case)

func withCaches(c *Case)              { c.Caches = "go" }
func note(s string) opt               { return func(c *Case) { c.Note = s } }
func noEncode(c *Case)                { f := false; c.Encode = &f }
func bufCap(n int) opt                { return func(c *Case) { c.bufCap = n } }
func expectError(code string) opt     { return func(c *Case) { c.Error = code } }
func mapping(m map[string]string) opt { return func(c *Case) { c.AtomMapping = m } }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (g *generator) push(c *Case) {
	if g.names[c.Name] {
		panic("duplicate case " + c.Name)
	}
	g.names[c.Name] = true
	g.cases = append(g.cases, c)
}

func encodeWith(x any, o edf.Options) ([]byte, error) {
	b := lib.TakeBuffer()
	defer lib.ReleaseBuffer(b)
	return encodeInto(b, x, o)
}

// encodeInto encodes into b (a buffer not from lib's pool must not be released into it: its
// Reset would leave a zero-capacity buffer that lib.Buffer.Extend can never grow).
func encodeInto(b *lib.Buffer, x any, o edf.Options) ([]byte, error) {
	if err := edf.Encode(x, b, o); err != nil {
		return nil, err
	}
	return append([]byte(nil), b.B...), nil
}

// add encodes x with edf.Encode and records the bytes, the value, and how Go reads them back.
func (g *generator) add(name string, x any, opts ...opt) {
	c := &Case{Name: name, Source: "edf.Encode"}
	for _, o := range opts {
		o(c)
	}
	eo, do := edf.Options{}, edf.Options{}
	if c.Caches != "" {
		eo, do = g.enc, g.dec
	}
	if c.AtomMapping != nil {
		m := new(sync.Map)
		for k, v := range c.AtomMapping {
			m.Store(gen.Atom(k), gen.Atom(v))
		}
		eo.AtomMapping = m
	}
	var b []byte
	var err error
	if c.bufCap > 0 {
		b, err = encodeInto(&lib.Buffer{B: make([]byte, 0, c.bufCap)}, x, eo)
	} else {
		b, err = encodeWith(x, eo)
	}
	if err != nil {
		panic(fmt.Sprintf("%s: edf.Encode: %v", name, err))
	}
	c.Hex = hex.EncodeToString(b)
	if c.Value == nil {
		c.Value = mustJSON(g.conv.Value(x))
	}
	c.MapOrder = c.MapOrder || multiEntryMap(reflect.ValueOf(x))
	v, tail, err := edf.Decode(b, do)
	switch {
	case err != nil:
		c.GoDecodeError = err.Error()
	case len(tail) != 0:
		if c.Error == "" {
			panic(fmt.Sprintf("%s: %d bytes left after Go decoded its own encoding", name, len(tail)))
		}
		c.GoDecodeError = fmt.Sprintf("%d bytes left after the value", len(tail))
		c.Value = nil
	case !c.MapOrder && c.AtomMapping == nil:
		again, err := encodeWith(v, eo)
		if err != nil {
			panic(fmt.Sprintf("%s: re-encoding Go's decoded value: %v", name, err))
		}
		if !bytes.Equal(again, b) {
			c.Note = join(c.Note, "Go re-encodes its own decoded value as "+hex.EncodeToString(again))
		}
		if got := mustJSON(g.conv.Value(v)); !bytes.Equal(got, mustJSON(g.conv.Value(x))) {
			c.Note = join(c.Note, "Go decodes it as "+string(got))
		}
	}
	g.push(c)
}

// raw records bytes made by hand that edf.Decode accepts: the value is what Go decodes.
func (g *generator) raw(name string, h string, opts ...opt) {
	c := &Case{Name: name, Hex: h, Source: "edf.Decode"}
	for _, o := range opts {
		o(c)
	}
	do := edf.Options{}
	if c.Caches != "" {
		do = g.dec
	}
	b, _ := hex.DecodeString(h)
	v, tail, err := edf.Decode(b, do)
	if err != nil || len(tail) != 0 {
		panic(fmt.Sprintf("%s: Go does not decode %s: %v (tail %d)", name, h, err, len(tail)))
	}
	if c.Value == nil {
		c.Value = mustJSON(g.conv.Value(v))
	}
	g.push(c)
}

// reject records bytes edf.Decode refuses, with the error code our decoder must give.
func (g *generator) reject(name, h, code string, opts ...opt) {
	c := &Case{Name: name, Hex: h, Source: "edf.Decode rejects", Error: code}
	for _, o := range opts {
		o(c)
	}
	do := edf.Options{}
	if c.Caches != "" {
		do = g.dec
	}
	b, _ := hex.DecodeString(h)
	_, tail, err := edf.Decode(b, do)
	if err == nil {
		panic(fmt.Sprintf("%s: Go decodes %s (tail %d)", name, h, len(tail)))
	}
	c.GoError = err.Error()
	g.push(c)
}

// refuse records bytes Go's decoder reads although Go's encoder never writes them, and that
// our decoder refuses on purpose (code); the note says what Go makes of them.
func (g *generator) refuse(name, h, code string) {
	c := &Case{Name: name, Hex: h, Source: "edf.Decode accepts, we refuse", Error: code}
	b, _ := hex.DecodeString(h)
	v, tail, err := edf.Decode(b, edf.Options{})
	if err != nil || len(tail) != 0 {
		panic(fmt.Sprintf("%s: Go does not decode %s: %v (tail %d)", name, h, err, len(tail)))
	}
	c.Note = "Go decodes it as " + string(mustJSON(g.conv.Value(v)))
	g.push(c)
}

// fact records what edf.Encode does with a value (usually: refuses it).
func (g *generator) fact(what string, x any) {
	b, err := encodeWith(x, edf.Options{})
	if err != nil {
		g.facts = append(g.facts, Fact{what, "edf.Encode error: " + err.Error()})
		return
	}
	g.facts = append(g.facts, Fact{what, "encodes as " + hex.EncodeToString(b)})
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// multiEntryMap: Go writes map pairs in random order, so such bytes compare by value only.
func multiEntryMap(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return !v.IsNil() && multiEntryMap(v.Elem())
	case reflect.Map:
		if v.Len() >= 2 {
			return true
		}
		it := v.MapRange()
		for it.Next() {
			if multiEntryMap(it.Key()) || multiEntryMap(it.Value()) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if multiEntryMap(v.Index(i)) {
				return true
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if multiEntryMap(v.Field(i)) {
				return true
			}
		}
	}
	return false
}

func tablesJSON(t edfcases.Tables) map[string]any {
	atoms, types, errs := map[string]string{}, map[string]string{}, map[string]string{}
	for id, a := range t.Atoms {
		atoms[strconv.Itoa(int(id))] = string(a)
	}
	for id, n := range t.Types {
		types[strconv.Itoa(int(id))] = n
	}
	for id, e := range t.Errors {
		errs[strconv.Itoa(int(id))] = e.Error()
	}
	return map[string]any{"atoms": atoms, "types": types, "errors": errs}
}

func main() {
	out := flag.String("o", "", "write the vector file here (default: stdout)")
	flag.Parse()

	// What a Go node registers before it connects: the framework types (net/edf, handshake and
	// proto at init, the registrar client's when the node is built, the metrics message when
	// the system app starts), its own node name as atom 256, then the application's types.
	if err := registerFramework(); err != nil {
		fail(err)
	}
	if err := edf.RegisterAtom(nodeName); err != nil {
		fail(err)
	}
	if err := edf.RegisterAtom(peerName); err != nil {
		fail(err)
	}
	g := &generator{names: map[string]bool{}}
	// Before the local message types are registered: stock Go refuses to encode them.
	g.localFactsBefore()
	if err := edfcases.Register(); err != nil {
		fail(err)
	}
	if err := registerLocalMessages(); err != nil {
		fail(err)
	}
	g.conv = edfcases.NewConv()
	g.own = edfcases.OwnTables()
	g.enc = edfcases.EncodeOptions(g.own)
	g.dec = edfcases.DecodeOptions(g.own, g.own.Errors)

	g.scalars()
	g.framework()
	g.errors()
	g.slices()
	g.arrays()
	g.maps()
	g.registered()
	g.frameworkTypes()
	g.cached()
	g.rejections()
	g.goFacts()

	// Declarations of every non-framework type a case uses, children first (registration order).
	var decls []any
	ids := make([]int, 0, len(g.own.Types))
	for id := range g.own.Types {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	byName := map[string]reflect.Type{}
	for _, t := range append(append([]any{}, edfcases.Types...), localMessages...) {
		byName[edfcases.RegName(reflect.TypeOf(t))] = reflect.TypeOf(t)
	}
	for _, id := range ids {
		if t, ok := byName[g.own.Types[uint16(id)]]; ok {
			decls = append(decls, g.conv.Decl(t))
		}
	}

	file := map[string]any{
		"format": "edf",
		"origin": fmt.Sprintf("interop/go/cmd/edf-vectors: the real net/edf of %s %s (ergo.services/ergo %s), built with %s. "+
			"Test types are ours (package ergo-ts/interop/go/edfcases); the gen.MessageDown*/MessageExit* types are registered here as an application could, "+
			"stock Ergo does not register them (see facts).",
			ergo.FrameworkVersion.Name, ergo.FrameworkVersion.Release, moduleVersion(), runtime.Version()),
		"release": ergo.FrameworkVersion.Release,
		"types":   decls,
		"caches":  map[string]any{"go": tablesJSON(g.own)},
		"facts":   g.facts,
		"cases":   g.cases,
	}
	data, err := json.MarshalIndent(file, "", " ")
	if err != nil {
		fail(err)
	}
	data = append(data, '\n')
	if *out == "" {
		os.Stdout.Write(data)
		return
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "edf-vectors: %d cases, %d facts → %s\n", len(g.cases), len(g.facts), *out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "edf-vectors:", err)
	os.Exit(1)
}

func decodeHex(h string) (any, []byte, error) {
	b, _ := hex.DecodeString(h)
	return edf.Decode(b, edf.Options{})
}
