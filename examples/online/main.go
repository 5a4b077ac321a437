package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/adagrad-go/adagrad"
	"github.com/adagrad-go/adagrad/sparse"
)

// languages are the word lists and the Debian packages that install them.
var languages = []struct{ name, file, pkg string }{
	{"english", "american-english", "wamerican"},
	{"german", "ngerman", "wngerman"},
	{"french", "french", "wfrench"},
	{"spanish", "spanish", "wspanish"},
	{"italian", "italian", "witalian"},
	{"portuguese", "portuguese", "wportuguese"},
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "online:", err)
		}
		os.Exit(2)
	}
}

type example struct {
	word  string
	label int
}

// config is what the flags set.
type config struct {
	dir     string
	per     int
	seed    uint64
	buckets int
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("online", flag.ContinueOnError)
	fs.SetOutput(out)
	var c config
	fs.StringVar(&c.dir, "dict", "/usr/share/dict", "directory of the word lists (Debian's wamerican, wngerman, wfrench, wspanish, witalian, wportuguese)")
	fs.IntVar(&c.per, "per", 40000, "words drawn from each language (0: all)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the draw and of the stream's order")
	fs.IntVar(&c.buckets, "buckets", 1<<20, "hash buckets (table rows)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.buckets < 2 || c.buckets > sparse.MaxRows || c.per < 0 {
		return fmt.Errorf("-buckets must be in [2, %d] and -per >= 0", sparse.MaxRows)
	}
	stream, err := load(c)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d words, %d languages, %d buckets, one pass, seed %d\n", len(stream), len(languages), c.buckets, c.seed)
	fmt.Fprintf(out, "%-17s %10s %9s %10s %9s %9s %12s %8s\n", "optimizer", "log loss", "accuracy", "last 10%", "accuracy", "rows", "zero weights", "time")
	for _, m := range models() {
		r, err := train(c, m.o, stream)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		fmt.Fprintf(out, "%-17s %10.4f %8.2f%% %10.4f %8.2f%% %9d %11.2f%% %7.1fs\n", m.name, r.loss, 100*r.acc, r.lastLoss, 100*r.lastAcc,
			r.rows, 100*r.zeros, r.took.Seconds())
	}
	return nil
}

// models are the optimizers compared.
func models() []struct {
	name string
	o    adagrad.Options
} {
	ada := adagrad.Defaults()
	ada.LR = 0.1
	prox := adagrad.Defaults()
	prox.Kind, prox.LR, prox.InitialAccumulatorValue, prox.L1 = adagrad.ProximalAdagrad, 0.1, 0.1, 0.01
	ftrl := adagrad.Defaults()
	ftrl.Kind, ftrl.LR, ftrl.Beta, ftrl.L1, ftrl.L2 = adagrad.FTRL, 0.1, 1, 0.5, 0.5
	return []struct {
		name string
		o    adagrad.Options
	}{{"adagrad", ada}, {"proximal_adagrad", prox}, {"ftrl", ftrl}}
}

// load reads the word lists, draws c.per words of each, and shuffles them
// into one stream.
func load(c config) ([]example, error) {
	r := rand.New(rand.NewPCG(c.seed, 0x6f6e6c696e65))
	var stream []example
	for label, l := range languages {
		path := filepath.Join(c.dir, l.file)
		words, err := readWords(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s word list %s is missing: install Debian's %s package (apt-get install %s)", l.name, path, l.pkg, l.pkg)
			}
			return nil, err
		}
		r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
		if c.per > 0 && len(words) > c.per {
			words = words[:c.per]
		}
		for _, w := range words {
			stream = append(stream, example{w, label})
		}
	}
	r.Shuffle(len(stream), func(i, j int) { stream[i], stream[j] = stream[j], stream[i] })
	return stream, nil
}

func readWords(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			words = append(words, strings.ToLower(w))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("%s holds no words", path)
	}
	return words, nil
}

// features appends the word's feature rows: the bias (row 0) and its
// character 1- to 4-grams of " word ", hashed by FNV-1a into rows 1 to
// buckets-1.
func features(dst []int32, word string, buckets int) []int32 {
	dst = append(dst[:0], 0)
	rs := []rune(" " + word + " ")
	for n := 1; n <= 4; n++ {
		for i := 0; i+n <= len(rs); i++ {
			h := uint32(2166136261) ^ uint32(n)
			for _, c := range rs[i : i+n] {
				h = (h ^ uint32(c)) * 16777619
			}
			dst = append(dst, int32(1+h%uint32(buckets-1)))
		}
	}
	return dst
}

type result struct {
	loss, acc, lastLoss, lastAcc float64
	rows                         int
	zeros                        float64
	took                         time.Duration
}

// train makes a table of the options, streams the words through it once,
// and returns the progressive validation figures.
func train(c config, o adagrad.Options, stream []example) (result, error) {
	k := len(languages)
	t, err := sparse.New(c.buckets, k, sparse.Elementwise, o)
	if err != nil {
		return result{}, err
	}
	defer t.Close()
	t.SetWorkers(1)
	start := time.Now()
	w := t.Weights()
	var feats []int32
	var grads []float32
	seen := make([]bool, c.buckets)
	scores := make([]float64, k)
	var res result
	last := len(stream) - len(stream)/10
	for i, ex := range stream {
		feats = features(feats, ex.word, c.buckets)
		clear(scores)
		for _, f := range feats {
			for j := range scores {
				scores[j] += float64(w[int(f)*k+j])
			}
		}
		// Softmax, and the prediction made before learning the word.
		best, most := 0, math.Inf(-1)
		for j, s := range scores {
			if s > most {
				best, most = j, s
			}
		}
		var z float64
		for j, s := range scores {
			scores[j] = math.Exp(s - most)
			z += scores[j]
		}
		loss := -math.Log(scores[ex.label] / z)
		hit := 0.0
		if best == ex.label {
			hit = 1
		}
		res.loss += loss
		res.acc += hit
		if i >= last {
			res.lastLoss += loss
			res.lastAcc += hit
		}
		// The gradient of the loss: softmax minus one-hot, the same for
		// every feature row.
		grads = grads[:0]
		for _, f := range feats {
			seen[f] = true
			for j := range scores {
				g := scores[j] / z
				if j == ex.label {
					g--
				}
				grads = append(grads, float32(g))
			}
		}
		if err := t.StepInt32(feats, grads); err != nil {
			return result{}, err
		}
	}
	res.took = time.Since(start)
	n := float64(len(stream))
	res.loss, res.acc = res.loss/n, res.acc/n
	res.lastLoss, res.lastAcc = res.lastLoss/float64(len(stream)-last), res.lastAcc/float64(len(stream)-last)
	zeros := 0
	for r, s := range seen {
		if !s {
			continue
		}
		res.rows++
		for _, v := range w[r*k : r*k+k] {
			if v == 0 {
				zeros++
			}
		}
	}
	res.zeros = float64(zeros) / float64(res.rows*k)
	return res, nil
}
