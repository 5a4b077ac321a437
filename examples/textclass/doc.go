// Command textclass is the Adagrad article's text classifier: each word of
// a sentence is looked up in an embedding of 50 values per word, the
// sentence is the mean of its words' embeddings, and a linear layer turns
// it into one logit, trained with binary cross-entropy and Adagrad at a
// learning rate of 0.1. The embedding is a sparse.Table: a step reads and
// writes only the rows of the words in the batch. The linear layer's
// weight and bias are trained by package optim.
//
// It runs two tasks:
//
//  1. Four short sentences, two positive and two negative, trained as one
//     batch until the four are classified right.
//  2. A synthetic task of thousands of sentences over a vocabulary of
//     100,000 words whose frequencies follow a Zipf law, as words do. Two
//     copies of the model are trained on the same batches: one updates its
//     embedding with sparse.Table.Step, the other as a dense optimizer
//     would, with kernel.Step32 over the whole table and the batch's
//     gradient rows scattered into a table-sized gradient. Both updates
//     are timed at every step of the same run, on one goroutine each, and
//     the program prints their medians and the ratio. The two embeddings
//     are then compared: Adagrad leaves a row whose gradient is zero as it
//     is, so they must be equal, bit for bit.
//
// The embedding's weights can be 16-bit (-weights bf16 or fp16, with
// float32 Adagrad state), rounded after each step stochastically (the
// default) or to nearest even (-rounding nearest). The synthetic task then
// trains the one model and reports its losses and held-out accuracy. At a
// small learning rate rounding to nearest loses every update below half a
// unit in the last place, and bfloat16 (8 bits of precision) falls
// behind; stochastic rounding keeps float32's pace:
//
//	go run ./examples/textclass -lr 0.01 -passes 15 -weights f32
//	go run ./examples/textclass -lr 0.01 -passes 15 -weights bf16
//	go run ./examples/textclass -lr 0.01 -passes 15 -weights bf16 -rounding nearest
//
// Usage:
//
//	go run ./examples/textclass
//	go run ./examples/textclass -synthetic=false   # the four sentences only
//	go run ./examples/textclass -vocab 1000000     # 10 times the rows: 1 GB, about 40 s, mostly the dense updates
package main
