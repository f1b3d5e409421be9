// hello: the smallest program against the pinned Ergo; proves the module resolves and builds.
package main

import (
	"fmt"

	"github.com/ergo-services/ergo"
)

func main() { fmt.Println(ergo.VersionPrefix, ergo.Version, "OTP", ergo.VersionOTP) }
