// edf-types: the layouts of every type the pinned Ergo release registers with net/edf, read
// by reflection from net/edf's own registration, for proto-spec/vectors/edf/framework-types.json
// (proto-spec/scripts/edf-types-from-go.ts turns it into src/codec/edf/framework-types.gen.ts).
//
// What a running Go node has registered before its first connection: net/edf's init (95 types,
// 15 errors), net/handshake's and net/proto's init, the registrar client (registrar.Create) and
// the metrics message (the system app registers it in its metrics actor's Init). The reflect
// types come from edf.MakeEncodeRegTypeCache over the names in edf.GetRegCache, i.e. from
// net/edf's table itself. Also dumped, marked unregistered: the framework's mailbox messages
// (gen.MessageDown*, MessageExit*, MessageFallback) that Go keeps local.
//
//	go run ./cmd/edf-types -o ../../proto-spec/vectors/edf/framework-types.json
package main

import (
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"ergo.services/ergo"
	"ergo.services/ergo/app/system"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/lib"
	"ergo.services/ergo/net/edf"
	_ "ergo.services/ergo/net/handshake"
	_ "ergo.services/ergo/net/proto"
	"ergo.services/ergo/net/registrar"

	"ergo-ts/interop/go/edfcases"
)

var local = []any{
	gen.MessageDownPID{}, gen.MessageDownProcessID{}, gen.MessageDownAlias{}, gen.MessageDownEvent{},
	gen.MessageDownNode{}, gen.MessageDownProxy{},
	gen.MessageExitPID{}, gen.MessageExitProcessID{}, gen.MessageExitAlias{}, gen.MessageExitEvent{},
	gen.MessageExitNode{}, gen.MessageFallback{},
}

func registeredBy(pkg string) string {
	switch pkg {
	case "ergo.services/ergo/gen", "ergo.services/ergo/app/system/inspect":
		return "net/edf init"
	case "ergo.services/ergo/net/handshake":
		return "net/handshake init"
	case "ergo.services/ergo/net/proto":
		return "net/proto init"
	case "ergo.services/ergo/net/registrar":
		return "registrar.Create"
	case "ergo.services/ergo/app/system":
		return "app/system metrics actor Init"
	}
	return "?"
}

func layout(c *edfcases.Conv, t reflect.Type) map[string]any {
	d := map[string]any{"name": edfcases.RegName(t), "package": t.PkgPath(), "type": t.Name()}
	switch {
	case t.Implements(reflect.TypeOf((*edf.Marshaler)(nil)).Elem()):
		d["kind"] = "custom"
		d["codec"] = "MarshalEDF"
		d["goFields"] = fields(c, t)
		return d
	case t.Implements(reflect.TypeOf((*encoding.BinaryMarshaler)(nil)).Elem()):
		d["kind"] = "custom"
		d["codec"] = "MarshalBinary"
		return d
	}
	switch t.Kind() {
	case reflect.Struct:
		d["kind"] = "struct"
		d["fields"] = fields(c, t)
	case reflect.Slice:
		d["kind"] = "slice"
		d["elem"] = c.Type(t.Elem())
	case reflect.Array:
		d["kind"] = "array"
		d["len"] = t.Len()
		d["elem"] = c.Type(t.Elem())
	case reflect.Map:
		d["kind"] = "map"
		d["key"] = c.Type(t.Key())
		d["elem"] = c.Type(t.Elem())
	default:
		d["kind"] = "named"
		d["underlying"] = strings.ToLower(t.Kind().String())
	}
	return d
}

// fields: Go declaration order (the wire order); an embedded struct is one field.
func fields(c *edfcases.Conv, t reflect.Type) [][2]any {
	if t.Kind() != reflect.Struct {
		return nil
	}
	out := make([][2]any, t.NumField())
	for i := range out {
		f := t.Field(i)
		out[i] = [2]any{f.Name, c.Type(f.Type)}
	}
	return out
}

func main() {
	out := flag.String("o", "", "write here (default: stdout)")
	flag.Parse()

	registrar.Create(registrar.Options{})
	if err := edf.RegisterTypeOf(system.MessageMetrics{}); err != nil && err != gen.ErrTaken {
		fail(err)
	}
	conv := edfcases.NewConv()

	names := edf.GetRegCache()
	all := make([]string, 0, len(names))
	for _, n := range names {
		all = append(all, n)
	}
	byName := map[string]reflect.Type{}
	edf.MakeEncodeRegTypeCache(all).Range(func(k, _ any) bool {
		t := k.(reflect.Type)
		byName[edfcases.RegName(t)] = t
		return true
	})
	ids := make([]int, 0, len(names))
	for id := range names {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	var types []any
	for _, id := range ids {
		t, ok := byName[names[uint16(id)]]
		if !ok {
			fail(fmt.Errorf("no reflect type for %s", names[uint16(id)]))
		}
		d := layout(conv, t)
		d["id"] = id
		d["registeredBy"] = registeredBy(t.PkgPath())
		types = append(types, d)
	}

	errs := edf.GetErrCache()
	eids := make([]int, 0, len(errs))
	for id := range errs {
		eids = append(eids, int(id))
	}
	sort.Ints(eids)
	var errors []any
	for _, id := range eids {
		errors = append(errors, map[string]any{"id": id, "message": errs[uint16(id)].Error()})
	}

	var unregistered []any
	for _, m := range local {
		t := reflect.TypeOf(m)
		d := layout(conv, t)
		b := lib.TakeBuffer()
		err := edf.Encode(m, b, edf.Options{})
		lib.ReleaseBuffer(b)
		if err == nil {
			fail(fmt.Errorf("%v is registered after all", t))
		}
		d["goEncode"] = err.Error()
		unregistered = append(unregistered, d)
	}

	file := map[string]any{
		"format": "edf-framework-types",
		"origin": fmt.Sprintf("interop/go/cmd/edf-types: reflection over the types net/edf of %s %s (ergo.services/ergo %s) has registered in a node's process, built with %s. "+
			"Ids 4096-4190 (net/edf's own list) and the error ids are fixed; later type ids depend on Go's package-initialisation order and are informational only.",
			ergo.FrameworkVersion.Name, ergo.FrameworkVersion.Release, moduleVersion(), runtime.Version()),
		"release":      ergo.FrameworkVersion.Release,
		"module":       "ergo.services/ergo " + moduleVersion(),
		"types":        types,
		"errors":       errors,
		"unregistered": unregistered,
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
	fmt.Fprintf(os.Stderr, "edf-types: %d registered types, %d errors, %d unregistered → %s\n", len(types), len(errors), len(unregistered), *out)
}

func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "ergo.services/ergo" {
				return d.Version
			}
		}
	}
	return "unknown"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "edf-types:", err)
	os.Exit(1)
}
