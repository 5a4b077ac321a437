// Command mnist trains the Adagrad article's image classifier on
// Fashion-MNIST: a 784-128-10 network with a ReLU, cross-entropy, batches
// of 64, Adagrad with a learning rate of 0.01 (package optim), 3 epochs.
//
// It reads the four gzip IDX files of the data set from -data, by default
// where Debian's dataset-fashion-mnist package installs them:
//
//	apt-get install dataset-fashion-mnist
//	go run ./examples/mnist
//
// The training loop is written out: the forward pass, the softmax
// cross-entropy, the backward pass (matrix products from gonum's BLAS) and
// the optimizer step. As torchvision's ToTensor does, pixels are scaled to
// [0, 1]; the layers start as PyTorch's nn.Linear does (uniform within
// 1/sqrt(inputs)); the training set is shuffled each epoch and the last,
// smaller batch is kept. The program draws a progress bar per epoch, prints
// each epoch's mean loss over its batches, and the accuracy on the 10,000
// test images at the end.
package main
