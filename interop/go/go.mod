module ergo-ts/interop/go

go 1.22

require (
	ergo.services/ergo v1.999.310
	ergo.services/proto/erlang23 v0.0.0-20250904223750-99030f9f804a
)
