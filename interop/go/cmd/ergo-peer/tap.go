package main

import (
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"sync"
	"sync/atomic"

	"ergo.services/ergo/gen"
)

// tap records every byte the acceptor reads and writes, per TCP link, as JSON lines
// {"link": n, "dir": "in"|"out", "hex": …}. It wraps the acceptor's handshake and proto
// (incoming connections use those directly, so the version strings stay EHS:R1 / ENP:R1).
// Not for TLS: the handshake would no longer see a *tls.Conn and would send no cert digest.
type tap struct {
	mu    sync.Mutex
	f     *os.File
	n     int32
	conns sync.Map // net.Conn → *tapConn
}

func newTap(path string) (*tap, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &tap{f: f}, nil
}

func (t *tap) record(link int32, dir string, b []byte) {
	line, _ := json.Marshal(map[string]any{"link": link, "dir": dir, "hex": hex.EncodeToString(b)})
	t.mu.Lock()
	t.f.Write(append(line, '\n'))
	t.f.Sync()
	t.mu.Unlock()
}

func (t *tap) wrap(c net.Conn) net.Conn {
	if w, ok := c.(*tapConn); ok {
		return w
	}
	if w, ok := t.conns.Load(c); ok {
		return w.(*tapConn)
	}
	w := &tapConn{Conn: c, t: t, link: atomic.AddInt32(&t.n, 1)}
	t.conns.Store(c, w)
	return w
}

type tapConn struct {
	net.Conn
	t    *tap
	link int32
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.t.record(c.link, "in", p[:n])
	}
	return n, err
}

func (c *tapConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.t.record(c.link, "out", p[:n])
	}
	return n, err
}

type tapHandshake struct {
	gen.NetworkHandshake
	t *tap
}

func (h tapHandshake) Accept(n gen.NodeHandshake, c net.Conn, o gen.HandshakeOptions) (gen.HandshakeResult, error) {
	return h.NetworkHandshake.Accept(n, h.t.wrap(c), o)
}

type tapProto struct {
	gen.NetworkProto
	t *tap
}

type tapConnection struct {
	gen.Connection
	t *tap
}

func (p tapProto) NewConnection(core gen.Core, r gen.HandshakeResult, log gen.Log) (gen.Connection, error) {
	c, err := p.NetworkProto.NewConnection(core, r, log)
	if err != nil {
		return nil, err
	}
	return &tapConnection{c, p.t}, nil
}

func (p tapProto) Serve(c gen.Connection, dial gen.NetworkDial) error {
	if w, ok := c.(*tapConnection); ok {
		c = w.Connection
	}
	return p.NetworkProto.Serve(c, dial)
}

func (c *tapConnection) Join(nc net.Conn, id string, dial gen.NetworkDial, tail []byte) error {
	return c.Connection.Join(c.t.wrap(nc), id, dial, tail)
}
