//go:build !amd64 || !gc || purego

package main

// memRefVector is false: this build has no assembly, mem-ref runs in Go.
const memRefVector = false

func memRef32AVX(param, grad, sum []float32, c float32) { memRef32Go(param, grad, sum, c) }

func memRef64AVX(param, grad, sum []float64, c float64) { memRef64Go(param, grad, sum, c) }
