package edfcases

// EJSON: the typed JSON form of EDF values used by proto-spec/vectors/edf/*.json (the
// TypeScript side reads it with src/codec/edf/ejson.ts). Every value carries its Go kind:
//
//	nil → null; bool → {"bool": b}; int, int64, uint, uint64 → {"int": "42"} (decimal string);
//	int8…uint32 → {"int8": n}; float32/64 → {"float32": "hex of the IEEE bits"};
//	string → {"string"}; []byte → {"binary": "hex"}; gen.Atom → {"atom"}; error → {"error"};
//	gen.PID → {"pid": {node, id, creation}}; ProcessID/Event → {"processId": {name, node}};
//	Ref/Alias → {"ref": {node, creation, id: [3]}}; time.Time → {"time": {version, sec, nsec,
//	offsetMin, offsetSec}}; []T → {"slice": TYPE, "items"}; [N]T → {"array": TYPE, "items"};
//	map → {"map": TYPE, "entries"}; registered struct → {"struct": name, "fields"};
//	registered named type → {"named": name, "value" | "items" | "entries"}.
//
// TYPE is "int", {"slice": TYPE}, {"array": [N, TYPE]}, {"map": [K, V]} or {"reg": "#name"}.

import (
	"bytes"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/edf"
)

var (
	tAtom      = reflect.TypeOf(gen.Atom(""))
	tPID       = reflect.TypeOf(gen.PID{})
	tProcessID = reflect.TypeOf(gen.ProcessID{})
	tEvent     = reflect.TypeOf(gen.Event{})
	tRef       = reflect.TypeOf(gen.Ref{})
	tAlias     = reflect.TypeOf(gen.Alias{})
	tTime      = reflect.TypeOf(time.Time{})
	tError     = reflect.TypeOf((*error)(nil)).Elem()
	tBinary    = reflect.TypeOf([]byte(nil))
	tMarshaler = reflect.TypeOf((*edf.Marshaler)(nil)).Elem()
	tBinMarsh  = reflect.TypeOf((*encoding.BinaryMarshaler)(nil)).Elem()
)

// RegName is the name net/edf registers a type under.
func RegName(t reflect.Type) string {
	return "#" + t.PkgPath() + "/" + t.Name()
}

// Registered reports the names net/edf has registered (its RegCache, which every successful
// RegisterTypeOf adds to).
func Registered() map[string]bool {
	out := map[string]bool{}
	for _, name := range edf.GetRegCache() {
		out[name] = true
	}
	return out
}

// IsCustom reports whether a registered type encodes through MarshalEDF or MarshalBinary.
func IsCustom(t reflect.Type) bool {
	return t.Implements(tMarshaler) || t.Implements(tBinMarsh)
}

// Obj is a JSON object that keeps its key order: EJSON puts the kind first.
type Obj []KV

// KV is one key of an Obj.
type KV struct {
	K string
	V any
}

func (o Obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv.K)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(kv.V)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// o builds an Obj from alternating keys and values.
func o(kv ...any) Obj {
	out := make(Obj, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, KV{kv[i].(string), kv[i+1]})
	}
	return out
}

var kindNames = map[reflect.Kind]string{
	reflect.Bool: "bool", reflect.Int: "int", reflect.Int8: "int8", reflect.Int16: "int16",
	reflect.Int32: "int32", reflect.Int64: "int64", reflect.Uint: "uint", reflect.Uint8: "uint8",
	reflect.Uint16: "uint16", reflect.Uint32: "uint32", reflect.Uint64: "uint64",
	reflect.Float32: "float32", reflect.Float64: "float64", reflect.String: "string",
}

// Conv turns Go values and types into EJSON, given the set of registered names.
type Conv struct {
	Reg map[string]bool
	// Opaque: registered custom types outside these packages are shown as their raw bytes.
	FieldsOf map[string]bool
}

// NewConv snapshots the registered names. Custom types of package gen (NetworkFlags,
// NetworkProxyFlags) are shown by their fields, others as {"Raw": binary}.
func NewConv() *Conv {
	return &Conv{Reg: Registered(), FieldsOf: map[string]bool{"ergo.services/ergo/gen": true}}
}

func (c *Conv) isReg(t reflect.Type) bool {
	return t.Name() != "" && c.Reg[RegName(t)]
}

// Type is the EJSON name of a static type.
func (c *Conv) Type(t reflect.Type) any {
	switch t {
	case tAtom:
		return "atom"
	case tPID:
		return "pid"
	case tProcessID:
		return "processId"
	case tEvent:
		return "event"
	case tRef:
		return "ref"
	case tAlias:
		return "alias"
	case tTime:
		return "time"
	case tError:
		return "error"
	case tBinary:
		return "binary"
	}
	if t.Kind() == reflect.Interface && t.NumMethod() == 0 {
		return "any"
	}
	if c.isReg(t) {
		return o("reg", RegName(t))
	}
	switch t.Kind() {
	case reflect.Slice:
		return o("slice", c.Type(t.Elem()))
	case reflect.Array:
		return o("array", []any{t.Len(), c.Type(t.Elem())})
	case reflect.Map:
		return o("map", []any{c.Type(t.Key()), c.Type(t.Elem())})
	}
	if n, ok := kindNames[t.Kind()]; ok {
		return n
	}
	panic(fmt.Sprintf("no EJSON type for %v", t))
}

// Value is the EJSON of x (its dynamic type decides, as in an any slot).
func (c *Conv) Value(x any) any {
	if x == nil {
		return nil
	}
	v := reflect.ValueOf(x)
	return c.value(v, v.Type())
}

func f32hex(f float32) string {
	return fmt.Sprintf("%08x", math.Float32bits(f))
}

func f64hex(f float64) string {
	return fmt.Sprintf("%016x", math.Float64bits(f))
}

func refJSON(node gen.Atom, creation int64, id [3]uint64) map[string]any {
	return map[string]any{
		"node":     string(node),
		"creation": strconv.FormatInt(creation, 10),
		"id":       []string{strconv.FormatUint(id[0], 10), strconv.FormatUint(id[1], 10), strconv.FormatUint(id[2], 10)},
	}
}

// timeJSON reads the fields from Go's own MarshalBinary, which is what EDF carries.
func timeJSON(t time.Time) Obj {
	b, err := t.MarshalBinary()
	if err != nil {
		panic(err)
	}
	sec := int64(0)
	for i := 1; i < 9; i++ {
		sec = sec<<8 | int64(b[i])
	}
	nsec := int32(uint32(b[9])<<24 | uint32(b[10])<<16 | uint32(b[11])<<8 | uint32(b[12]))
	off := int16(uint16(b[13])<<8 | uint16(b[14]))
	offSec := 0
	if b[0] == 2 {
		offSec = int(int8(b[15]))
	}
	return o("version", int(b[0]), "sec", strconv.FormatInt(sec, 10), "nsec", nsec, "offsetMin", off, "offsetSec", offSec)
}

func (c *Conv) value(v reflect.Value, t reflect.Type) any {
	if t.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		if t == tError {
			return o("error", v.Interface().(error).Error())
		}
		d := v.Elem()
		return c.value(d, d.Type())
	}
	if t.Kind() == reflect.Pointer && t.Implements(tError) {
		// An error value in an any slot (errors.New, fmt.Errorf): only its message travels.
		return o("error", v.Interface().(error).Error())
	}
	switch t {
	case tAtom:
		return o("atom", v.String())
	case tPID:
		p := v.Interface().(gen.PID)
		return map[string]any{"pid": map[string]any{"node": string(p.Node), "id": strconv.FormatUint(p.ID, 10), "creation": strconv.FormatInt(p.Creation, 10)}}
	case tProcessID:
		p := v.Interface().(gen.ProcessID)
		return map[string]any{"processId": map[string]any{"name": string(p.Name), "node": string(p.Node)}}
	case tEvent:
		p := v.Interface().(gen.Event)
		return map[string]any{"event": map[string]any{"name": string(p.Name), "node": string(p.Node)}}
	case tRef:
		r := v.Interface().(gen.Ref)
		return o("ref", refJSON(r.Node, r.Creation, r.ID))
	case tAlias:
		r := v.Interface().(gen.Alias)
		return o("alias", refJSON(r.Node, r.Creation, r.ID))
	case tTime:
		return o("time", timeJSON(v.Interface().(time.Time)))
	case tBinary:
		return o("binary", hex.EncodeToString(v.Bytes()))
	}
	if c.isReg(t) {
		return c.reg(v, t)
	}
	switch t.Kind() {
	case reflect.Slice:
		var items any
		if !v.IsNil() {
			items = c.items(v, t.Elem())
		}
		return o("slice", c.Type(t.Elem()), "items", items)
	case reflect.Array:
		return o("array", c.Type(t), "items", c.items(v, t.Elem()))
	case reflect.Map:
		return o("map", c.Type(t), "entries", c.entries(v, t))
	}
	return c.scalar(v, t.Kind())
}

func (c *Conv) items(v reflect.Value, elem reflect.Type) []any {
	out := make([]any, v.Len())
	for i := range out {
		out[i] = c.value(v.Index(i), elem)
	}
	return out
}

func (c *Conv) entries(v reflect.Value, t reflect.Type) any {
	if v.IsNil() {
		return nil
	}
	out := make([]any, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		out = append(out, []any{c.value(it.Key(), t.Key()), c.value(it.Value(), t.Elem())})
	}
	return out
}

func (c *Conv) scalar(v reflect.Value, k reflect.Kind) any {
	switch k {
	case reflect.Bool:
		return o("bool", v.Bool())
	case reflect.Int, reflect.Int64:
		return map[string]any{kindNames[k]: strconv.FormatInt(v.Int(), 10)}
	case reflect.Uint, reflect.Uint64:
		return map[string]any{kindNames[k]: strconv.FormatUint(v.Uint(), 10)}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{kindNames[k]: v.Int()}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{kindNames[k]: v.Uint()}
	case reflect.Float32:
		return o("float32", f32hex(float32(v.Float())))
	case reflect.Float64:
		return o("float64", f64hex(v.Float()))
	case reflect.String:
		return o("string", v.String())
	}
	panic(fmt.Sprintf("no EJSON for kind %v", k))
}

func (c *Conv) reg(v reflect.Value, t reflect.Type) any {
	name := RegName(t)
	if IsCustom(t) {
		fields := Obj{}
		if c.FieldsOf[t.PkgPath()] && t.Kind() == reflect.Struct {
			for i := 0; i < t.NumField(); i++ {
				fields = append(fields, KV{t.Field(i).Name, c.value(v.Field(i), t.Field(i).Type)})
			}
		} else {
			fields = append(fields, KV{"Raw", o("binary", hex.EncodeToString(CustomBytes(v.Interface())))})
		}
		return o("struct", name, "fields", fields)
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := Obj{}
		for i := 0; i < t.NumField(); i++ {
			fields = append(fields, KV{t.Field(i).Name, c.value(v.Field(i), t.Field(i).Type)})
		}
		return o("struct", name, "fields", fields)
	case reflect.Slice:
		var items any
		if !v.IsNil() {
			items = c.items(v, t.Elem())
		}
		return o("named", name, "items", items)
	case reflect.Array:
		return o("named", name, "items", c.items(v, t.Elem()))
	case reflect.Map:
		return o("named", name, "entries", c.entries(v, t))
	}
	return o("named", name, "value", c.scalar(v, t.Kind()))
}

// CustomBytes is what a MarshalEDF / MarshalBinary type writes.
func CustomBytes(x any) []byte {
	if m, ok := x.(edf.Marshaler); ok {
		var w byteWriter
		if err := m.MarshalEDF(&w); err != nil {
			panic(err)
		}
		return w
	}
	b, err := x.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

type byteWriter []byte

func (w *byteWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}

// Decl is the vector files' declaration of a registered type (what a TS registry needs).
func (c *Conv) Decl(t reflect.Type) map[string]any {
	d := map[string]any{"name": RegName(t)}
	if IsCustom(t) {
		d["custom"] = "opaque"
		return d
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := make([]any, t.NumField())
		for i := range fields {
			f := t.Field(i)
			fields[i] = []any{f.Name, c.Type(f.Type)}
		}
		d["struct"] = fields
	case reflect.Slice:
		d["slice"] = c.Type(t.Elem())
	case reflect.Array:
		d["array"] = []any{t.Len(), c.Type(t.Elem())}
	case reflect.Map:
		d["map"] = []any{c.Type(t.Key()), c.Type(t.Elem())}
	default:
		d["named"] = kindNames[t.Kind()]
	}
	return d
}
