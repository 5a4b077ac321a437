package kernel

import "runtime/debug"

func setPanicOnFault(on bool) bool { return debug.SetPanicOnFault(on) }
