// hello: the smallest program against the pinned Ergo v3; proves the module resolves and
// builds, and prints the framework release it was built with (tests and benches record it).
package main

import (
	"fmt"

	"ergo.services/ergo"
	_ "ergo.services/proto/erlang23/dist"
)

func main() {
	v := ergo.FrameworkVersion
	fmt.Printf("{\"name\":%q,\"release\":%q}\n", v.Name, v.Release)
}
