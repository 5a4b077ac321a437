// Command online identifies the language of single words with logistic
// regression trained online, one pass over a stream, the way
// click-through-rate and spam models are trained: it compares Adagrad,
// ProximalAdagrad and FTRL-Proximal (package sparse's table kinds) by
// progressive validation.
//
// The data are Debian's word lists, one language per package:
//
//	apt-get install wamerican wngerman wfrench wspanish witalian wportuguese
//	go run ./examples/online
//
// Each word (-per of each language, drawn with -seed; 0 takes them all)
// becomes the hashed character n-grams of " word " (n = 1 to 4, -buckets
// rows of a table, FNV-1a) and a bias feature. The model is multinomial
// logistic regression: a table of one row per bucket and one weight per
// language; a word's scores are the sums of its features' rows, its
// probabilities their softmax. The words of all languages are shuffled
// (-seed) into one stream, and each optimizer's table sees each word once:
// first the word is predicted (progressive validation: the log loss and
// accuracy of a prediction made before the word is learned), then the
// table takes one step with the word's gradient (softmax minus one-hot, on
// each of its feature rows).
//
// It prints, for each optimizer, the progressive log loss and accuracy
// over the whole stream and over its last tenth, the rows the stream
// touched, and the fraction of their weights that are exactly zero: L1
// gives FTRL and ProximalAdagrad sparse models.
package main
