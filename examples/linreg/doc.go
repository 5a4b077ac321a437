// Command linreg fits a straight line with Adagrad: the linear regression of
// the Adagrad article, the Go way.
//
// The data are 100 points with x evenly spaced on [-10, 10] and
// y = 2x + 3 + 0.1*noise (standard normal noise). The model is PyTorch's
// nn.Linear(1, 1): y = w*x + b, with w and b drawn uniformly from [-1, 1]
// as PyTorch initialises a layer with one input. Each epoch is one step of
// full-batch gradient descent on the mean squared error, with Adagrad
// (package optim) and a learning rate of 0.1, for 100 epochs.
//
// With these settings the fit is not finished after 100 epochs, in PyTorch
// as here: Adagrad divides each step by the root of the sum of the squared
// gradients so far, so its steps shrink as the sum grows: while a
// gradient keeps its sign, step t is about lr/sqrt(t), and 100 epochs move
// w or b by about 0.1*2*sqrt(100) = 2 at most. Where they end up therefore
// depends on where they started (seeds 1 to 8: w from 0.69 to 1.85, b from 1.01 to 2.41). Raise
// the learning rate or the number of epochs to watch it converge:
//
//	go run ./examples/linreg              # w = 0.69, b = 1.40: not there yet
//	go run ./examples/linreg -lr 1        # within 0.05 of (2, 3) in 8 to 21 epochs
//	go run ./examples/linreg -epochs 2000 # lr 0.1: within 0.05 after 400 to 1400 epochs
//
// The program prints the loss every 20 epochs (see -every), the learned w
// and b against the truth, and the first epoch after which both were within
// 0.05 of it, if any.
package main
