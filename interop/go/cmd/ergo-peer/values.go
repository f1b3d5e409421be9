package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/edf"
)

// Sample is a registered struct both sides declare ("#main/Sample").
type Sample struct {
	Name string
	N    int64
	Tags []string
	When time.Time
	Who  gen.PID
}

func registerTypes() {
	if err := edf.RegisterTypeOf(Sample{}); err != nil && err != gen.ErrTaken {
		fail(err)
	}
}

// value describes a Go value to build from JSON: {"t": kind, "v": …}.
type value struct {
	T     string          `json:"t"`
	V     json.RawMessage `json:"v"`
	N     int             `json:"n"`
	Fill  int             `json:"fill"`
	Seed  uint32          `json:"seed"`
	Hex   string          `json:"hex"`
	Items []*value        `json:"items"`
	To    *target         `json:"to"`
}

func (v *value) build() any {
	num := func() json.Number {
		var n json.Number
		json.Unmarshal(v.V, &n)
		return n
	}
	str := func() string {
		var s string
		json.Unmarshal(v.V, &s)
		return s
	}
	switch v.T {
	case "nil":
		return nil
	case "string":
		return str()
	case "strrep":
		return strings.Repeat(str(), v.N)
	case "bool":
		return string(v.V) == "true"
	case "int":
		i, _ := num().Int64()
		return int(i)
	case "int64":
		i, _ := num().Int64()
		return i
	case "int32":
		i, _ := num().Int64()
		return int32(i)
	case "int8":
		i, _ := num().Int64()
		return int8(i)
	case "uint16":
		i, _ := num().Int64()
		return uint16(i)
	case "uint64":
		var u uint64
		fmt.Sscan(string(v.V), &u)
		return u
	case "float64":
		f, _ := num().Float64()
		return f
	case "float32":
		f, _ := num().Float64()
		return float32(f)
	case "atom":
		return gen.Atom(str())
	case "bytes":
		if v.Hex != "" {
			b, _ := hex.DecodeString(v.Hex)
			return b
		}
		b := make([]byte, v.N)
		for i := range b {
			b[i] = byte(v.Fill)
		}
		return b
	case "rand":
		// Deterministic low-redundancy bytes (makes LZW fill and reset its table).
		b := make([]byte, v.N)
		x := v.Seed | 1
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = 'a' + byte(x%16)
		}
		return b
	case "list":
		l := []any{}
		for _, it := range v.Items {
			l = append(l, it.build())
		}
		return l
	case "strings":
		l := []string{}
		for _, it := range v.Items {
			l = append(l, it.build().(string))
		}
		return l
	case "map":
		m := map[string]any{}
		for i := 0; i+1 < len(v.Items); i += 2 {
			m[v.Items[i].build().(string)] = v.Items[i+1].build()
		}
		return m
	case "target":
		return v.To.resolve()
	case "error":
		return errors.New(str())
	case "time":
		i, _ := num().Int64()
		return time.Unix(0, i).UTC()
	case "sample":
		s := Sample{Name: str(), N: int64(v.N), When: time.Unix(1700000000, 5).UTC()}
		for _, it := range v.Items {
			s.Tags = append(s.Tags, it.build().(string))
		}
		if v.To != nil {
			s.Who = v.To.resolve().(gen.PID)
		}
		return s
	}
	return fmt.Sprintf("unknown value kind %q", v.T)
}

// describe turns a received Go value into JSON the tests can check.
func describe(v any) map[string]any {
	d := map[string]any{"type": fmt.Sprintf("%T", v)}
	switch x := v.(type) {
	case nil:
	case string:
		d["len"] = len(x)
		d["crc"] = crc32.ChecksumIEEE([]byte(x))
		if len(x) <= 256 {
			d["value"] = x
		}
	case []byte:
		d["len"] = len(x)
		d["crc"] = crc32.ChecksumIEEE(x)
		if len(x) <= 64 {
			d["hex"] = hex.EncodeToString(x)
		}
	case bool, int, int8, int16, int32, int64, uint8, uint16, uint32, float32, float64, gen.Atom:
		d["value"] = x
	case uint64:
		d["value"] = fmt.Sprint(x)
	case gen.PID:
		d["value"] = jsonPID(x)
	case gen.Alias:
		d["value"] = jsonAlias(x)
	case gen.Ref:
		d["value"] = jsonRef(x)
	case gen.ProcessID:
		d["value"] = map[string]any{"name": string(x.Name), "node": string(x.Node)}
	case gen.Event:
		d["value"] = map[string]any{"name": string(x.Name), "node": string(x.Node)}
	case error:
		d["value"] = x.Error()
	case time.Time:
		d["value"] = x.UnixNano()
	case []any:
		l := []any{}
		for _, e := range x {
			l = append(l, describe(e))
		}
		d["value"] = l
	case Sample:
		d["value"] = map[string]any{"name": x.Name, "n": x.N, "tags": x.Tags, "when": x.When.UnixNano(), "who": jsonPID(x.Who)}
	case gen.MessageExitPID:
		d["value"] = map[string]any{"pid": jsonPID(x.PID), "reason": x.Reason.Error(), "framework": isFramework(x.Reason)}
	case gen.MessageExitProcessID:
		d["value"] = map[string]any{"name": string(x.ProcessID.Name), "node": string(x.ProcessID.Node), "reason": x.Reason.Error()}
	case gen.MessageExitAlias:
		d["value"] = map[string]any{"alias": jsonAlias(x.Alias), "reason": x.Reason.Error()}
	case gen.MessageExitEvent:
		d["value"] = map[string]any{"name": string(x.Event.Name), "node": string(x.Event.Node), "reason": x.Reason.Error()}
	case gen.MessageDownPID:
		d["value"] = map[string]any{"pid": jsonPID(x.PID), "reason": x.Reason.Error(), "framework": isFramework(x.Reason)}
	case gen.MessageDownProcessID:
		d["value"] = map[string]any{"name": string(x.ProcessID.Name), "node": string(x.ProcessID.Node), "reason": x.Reason.Error()}
	case gen.MessageDownAlias:
		d["value"] = map[string]any{"alias": jsonAlias(x.Alias), "reason": x.Reason.Error()}
	case gen.MessageDownEvent:
		d["value"] = map[string]any{"name": string(x.Event.Name), "node": string(x.Event.Node), "reason": x.Reason.Error()}
	default:
		s := fmt.Sprintf("%#v", v)
		if len(s) > 300 {
			s = s[:300]
		}
		d["repr"] = s
	}
	return d
}

// isFramework: the reason is Go's own singleton (what an ErrCache id decodes to), not a copy.
func isFramework(err error) bool {
	return err == gen.TerminateReasonNormal || err == gen.TerminateReasonShutdown || err == gen.TerminateReasonKill || err == gen.ErrNoConnection
}

func received(proc string, from gen.PID, m any) map[string]any {
	return map[string]any{"ev": "recv", "proc": proc, "from": jsonPID(from), "msg": describe(m)}
}
