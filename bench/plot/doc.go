// Command plot draws a speed report written by go run ./bench -json as a
// picture: ns per element against n, both axes logarithmic, one line per
// path (the kernel paths, plain-go, and mem-ref, the memory reference,
// dashed), one panel per element type, under a title naming the CPU and the
// Go version the report was measured with.
//
//	go run ./bench -json > r.json
//	go run ./bench/plot -from r.json -o speed.png
//	go run ./bench/plot -from r.json -o speed.svg -width 1600 -height 700
//
// The extension of -o picks the format (png, svg, pdf, jpg, tif, eps);
// -width and -height are in pixels, at 96 per inch for the vector formats.
// Every panel has the same axes, so that float32 and float64 compare at a
// glance. A bad flag or report exits with code 2, a picture that cannot be
// written with 1.
//
// It is a module of its own (its go.mod requires gonum.org/v1/plot), so that
// the library's module requires nothing but cpuid and x/sys; the root
// go.work puts it in the workspace. It reads the report's JSON itself and
// imports none of the library's packages.
package main
