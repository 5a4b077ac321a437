// Package fuzz holds the project's go test -fuzz targets: every assembly
// path held to the generic path bit for bit, on lengths, offsets, values and
// options the fuzzer chooses.
//
//	go test ./fuzz -run '^$' -fuzz FuzzStep32 -fuzztime 30s
package fuzz
