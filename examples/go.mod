module github.com/adagrad-go/adagrad/examples

go 1.25.0

require (
	github.com/adagrad-go/adagrad v0.0.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

replace github.com/adagrad-go/adagrad => ../
