// Package benchnode starts the Ergo v3 node our local benchmarks run on: networking disabled
// (no acceptor, no registrar: nothing listens, nothing is sent anywhere), the system app's
// metrics off, logging at error level.
package benchnode

import (
	"ergo.services/ergo"
	"ergo.services/ergo/app/system"
	"ergo.services/ergo/gen"
)

// Start starts a node named name.
func Start(name gen.Atom) (gen.Node, error) {
	var opts gen.NodeOptions
	opts.Network.Mode = gen.NetworkModeDisabled
	opts.Env = map[gen.Env]any{system.DISABLE_METRICS: true}
	opts.Log.Level = gen.LogLevelError
	return ergo.StartNode(name, opts)
}
