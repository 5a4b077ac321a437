package kernel

// The NEON path's assembly, kernel_arm64.s, rows_arm64.s, online_arm64.s
// and half_arm64.s, is generated: Go's arm64 assembler lacks many vector
// instructions (FADD, FSUB, FMUL, FDIV, FSQRT, the comparisons, the
// conversions, integer MUL), which the generator in _gen writes as WORDs
// from one table of encodings. go generate ./... regenerates the files
// from any host: the generator is built and run for the host, whatever
// GOOS and GOARCH say. The directory's leading underscore keeps it out of
// ./... and of the package's documentation.
//
//go:generate env GOOS= GOARCH= go run ./_gen -o kernel_arm64.s
//go:generate env GOOS= GOARCH= go run ./_gen -rows -o rows_arm64.s
//go:generate env GOOS= GOARCH= go run ./_gen -online -o online_arm64.s
//go:generate env GOOS= GOARCH= go run ./_gen -half -o half_arm64.s
