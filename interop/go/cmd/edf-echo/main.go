// edf-echo: a long-lived decoder/encoder over the real net/edf, for the TS → Go → TS property
// (test/codec/edf/go-echo.test.ts). It registers what a Go node registers (framework types,
// its node name as atom 256) plus our test types (edfcases) and the gen mailbox messages, then
// answers frames on stdin/stdout. Every frame is a u32 big-endian length and a body:
//
//	request  op 0 + JSON tables  → response 0 + JSON of this process's own tables
//	                                (the peer's tables decode what the peer sends with op 2)
//	request  op 1 + EDF value    → Go decodes it with no caches and encodes it again with none
//	request  op 2 + EDF value    → decoded with the peer's tables, encoded with our own
//	response status 0 + EDF bytes | 1 + decode error | 2 + encode error | 3 + protocol error
//	         | 4 + error: Go's own decoder refuses the bytes Go's encoder just wrote
//	           (each answer is checked that way before it is sent)
//
// Tables in JSON: {"atoms": {"256": "name"}, "types": {"4096": "#name"}, "errors": {"32768": "msg"}}.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"ergo.services/ergo/app/system"
	"ergo.services/ergo/gen"
	"ergo.services/ergo/lib"
	"ergo.services/ergo/net/edf"
	_ "ergo.services/ergo/net/handshake"
	_ "ergo.services/ergo/net/proto"
	"ergo.services/ergo/net/registrar"

	"ergo-ts/interop/go/edfcases"
)

type tablesJSON struct {
	Atoms  map[string]string `json:"atoms"`
	Types  map[string]string `json:"types"`
	Errors map[string]string `json:"errors"`
}

func toJSON(t edfcases.Tables) tablesJSON {
	out := tablesJSON{Atoms: map[string]string{}, Types: map[string]string{}, Errors: map[string]string{}}
	for id, a := range t.Atoms {
		out.Atoms[strconv.Itoa(int(id))] = string(a)
	}
	for id, n := range t.Types {
		out.Types[strconv.Itoa(int(id))] = n
	}
	for id, e := range t.Errors {
		out.Errors[strconv.Itoa(int(id))] = e.Error()
	}
	return out
}

func fromJSON(j tablesJSON) (edfcases.Tables, error) {
	t := edfcases.Tables{Atoms: map[uint16]gen.Atom{}, Types: map[uint16]string{}, Errors: map[uint16]error{}}
	id := func(s string) (uint16, error) {
		n, err := strconv.ParseUint(s, 10, 16)
		return uint16(n), err
	}
	for k, v := range j.Atoms {
		n, err := id(k)
		if err != nil {
			return t, err
		}
		t.Atoms[n] = gen.Atom(v)
	}
	for k, v := range j.Types {
		n, err := id(k)
		if err != nil {
			return t, err
		}
		t.Types[n] = v
	}
	for k, v := range j.Errors {
		n, err := id(k)
		if err != nil {
			return t, err
		}
		t.Errors[n] = errors.New(v)
	}
	return t, nil
}

func register() error {
	registrar.Create(registrar.Options{})
	if err := edf.RegisterTypeOf(system.MessageMetrics{}); err != nil && err != gen.ErrTaken {
		return err
	}
	if err := edf.RegisterAtom("go@127.0.0.1"); err != nil && err != gen.ErrTaken {
		return err
	}
	if err := edfcases.Register(); err != nil {
		return err
	}
	for _, m := range []any{
		gen.MessageDownPID{}, gen.MessageDownProcessID{}, gen.MessageDownAlias{}, gen.MessageDownEvent{},
		gen.MessageDownNode{}, gen.MessageDownProxy{},
		gen.MessageExitPID{}, gen.MessageExitProcessID{}, gen.MessageExitAlias{}, gen.MessageExitEvent{},
		gen.MessageExitNode{}, gen.MessageFallback{},
	} {
		if err := edf.RegisterTypeOf(m); err != nil && err != gen.ErrTaken {
			return err
		}
	}
	return nil
}

func main() {
	if err := register(); err != nil {
		fmt.Fprintln(os.Stderr, "edf-echo:", err)
		os.Exit(1)
	}
	own := edfcases.OwnTables()
	encCached := edfcases.EncodeOptions(own)
	var decCached edf.Options
	// Decodes what encCached wrote: our own tables, read back.
	selfCached := edfcases.DecodeOptions(own, own.Errors)

	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	var head [4]byte
	reply := func(status byte, body []byte) {
		binary.BigEndian.PutUint32(head[:], uint32(1+len(body)))
		out.Write(head[:])
		out.WriteByte(status)
		out.Write(body)
	}
	for {
		// Flush only when no further request is already buffered (the TS side pipelines).
		if in.Buffered() == 0 {
			out.Flush()
		}
		if _, err := io.ReadFull(in, head[:]); err != nil {
			out.Flush()
			return // stdin closed: done
		}
		n := binary.BigEndian.Uint32(head[:])
		frame := make([]byte, n)
		if _, err := io.ReadFull(in, frame); err != nil || n == 0 {
			out.Flush()
			return
		}
		op, body := frame[0], frame[1:]
		switch op {
		case 0:
			var j tablesJSON
			if err := json.Unmarshal(body, &j); err != nil {
				reply(3, []byte(err.Error()))
				continue
			}
			peer, err := fromJSON(j)
			if err != nil {
				reply(3, []byte(err.Error()))
				continue
			}
			decCached = edfcases.DecodeOptions(peer, own.Errors)
			data, _ := json.Marshal(toJSON(own))
			reply(0, data)
		case 1, 2:
			dopt, eopt, sopt := edf.Options{}, edf.Options{}, edf.Options{}
			if op == 2 {
				dopt, eopt, sopt = decCached, encCached, selfCached
			}
			v, tail, err := edf.Decode(body, dopt)
			if err == nil && len(tail) != 0 {
				err = fmt.Errorf("%d bytes after the value", len(tail))
			}
			if err != nil {
				reply(1, []byte(err.Error()))
				continue
			}
			b := lib.TakeBuffer()
			if err := edf.Encode(v, b, eopt); err != nil {
				lib.ReleaseBuffer(b)
				reply(2, []byte(err.Error()))
				continue
			}
			if _, _, err := edf.Decode(b.B, sopt); err != nil {
				lib.ReleaseBuffer(b)
				reply(4, []byte(err.Error()))
				continue
			}
			reply(0, b.B)
			lib.ReleaseBuffer(b)
		default:
			reply(3, []byte(fmt.Sprintf("unknown op %d", op)))
		}
	}
}
