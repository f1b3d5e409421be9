package edfcases

import (
	"sync"

	"ergo.services/ergo/gen"
	"ergo.services/ergo/net/edf"
)

// Tables are the three dictionaries one side announces in its handshake (MessageIntroduce).
type Tables struct {
	Atoms  map[uint16]gen.Atom
	Types  map[uint16]string
	Errors map[uint16]error
}

// OwnTables is what this Go process would announce: net/edf's process-global tables.
func OwnTables() Tables {
	return Tables{Atoms: edf.GetAtomCache(), Types: edf.GetRegCache(), Errors: edf.GetErrCache()}
}

// EncodeOptions builds encode options from our own tables, as net/handshake does
// (makeEncodeAtomCache, makeEncodeRegCache, makeEncodeErrCache).
func EncodeOptions(own Tables) edf.Options {
	var o edf.Options
	if len(own.Atoms) > 0 {
		o.AtomCache = new(sync.Map)
		for id, a := range own.Atoms {
			o.AtomCache.Store(a, id)
		}
	}
	if len(own.Types) > 0 {
		names := make([]string, 0, len(own.Types))
		for _, n := range own.Types {
			names = append(names, n)
		}
		o.RegCache = edf.MakeEncodeRegTypeCache(names)
	}
	if len(own.Errors) > 0 {
		o.ErrCache = new(sync.Map)
		for id, e := range own.Errors {
			o.ErrCache.Store(e, id)
		}
	}
	return o
}

// DecodeOptions builds decode options from the peer's tables, as net/handshake does
// (makeDecodeAtomCache, makeDecodeRegCache, makeDecodeErrCache: a peer error whose message
// equals one of ours becomes our error value).
func DecodeOptions(peer Tables, ownErrors map[uint16]error) edf.Options {
	var o edf.Options
	if len(peer.Atoms) > 0 {
		o.AtomCache = new(sync.Map)
		for id, a := range peer.Atoms {
			o.AtomCache.Store(id, a)
		}
	}
	if len(peer.Types) > 0 {
		o.RegCache = new(sync.Map)
		for id, n := range peer.Types {
			o.RegCache.Store(id, n)
		}
	}
	if len(peer.Errors) > 0 {
		local := map[string]error{}
		for _, e := range ownErrors {
			local[e.Error()] = e
		}
		o.ErrCache = new(sync.Map)
		for id, e := range peer.Errors {
			if l, ok := local[e.Error()]; ok {
				o.ErrCache.Store(id, l)
			} else {
				o.ErrCache.Store(id, e)
			}
		}
	}
	return o
}
