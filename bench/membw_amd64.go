//go:build gc && !purego

package main

import "github.com/klauspost/cpuid/v2"

// memRefVector reports whether mem-ref runs the AVX loops of membw_amd64.s.
var memRefVector = cpuid.CPU.Supports(cpuid.AVX)

// memRef32AVX is memRef32Go for len(param) a multiple of memRefBlock32,
// with len(grad) and len(sum) at least len(param).
//
//go:noescape
func memRef32AVX(param, grad, sum []float32, c float32)

// memRef64AVX is memRef64Go for len(param) a multiple of memRefBlock64.
//
//go:noescape
func memRef64AVX(param, grad, sum []float64, c float64)
