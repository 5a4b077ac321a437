package main

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad/internal/testenv"
)

// synthetic returns n images of 10 classes: each class a random pattern of
// dark and light pixels, each image its class's pattern plus noise.
func synthetic(r *rand.Rand, protos [][]byte, n int) (images, labels []byte) {
	images = make([]byte, n*side*side)
	labels = make([]byte, n)
	for i := range labels {
		c := r.IntN(classes)
		labels[i] = byte(c)
		for p, v := range protos[c] {
			x := int(v) + int(r.NormFloat64()*60)
			images[i*side*side+p] = byte(min(max(x, 0), 255))
		}
	}
	return images, labels
}

func syntheticDir(t testing.TB, train, test int) string {
	r := rand.New(rand.NewPCG(5, 5))
	protos := make([][]byte, classes)
	for c := range protos {
		protos[c] = make([]byte, side*side)
		for p := range protos[c] {
			if r.IntN(3) == 0 {
				protos[c][p] = byte(128 + r.IntN(128))
			}
		}
	}
	dir := t.TempDir()
	im, lb := synthetic(r, protos, train)
	writeSet(t, dir, "train", im, lb)
	im, lb = synthetic(r, protos, test)
	writeSet(t, dir, "t10k", im, lb)
	return dir
}

var (
	epochRe = regexp.MustCompile(`(?m)^epoch (\d+)/(\d+) \[=+\] (\d+)/(\d+)  loss ([0-9.]+)  [0-9.]+s$`)
	accRe   = regexp.MustCompile(`(?m)^test accuracy: ([0-9.]+)% \((\d+)/(\d+)\)$`)
)

type output struct {
	losses []float64
	acc    float64
	out    string
}

func runParse(t *testing.T, args ...string) output {
	t.Helper()
	var buf bytes.Buffer
	if err := run(args, &buf); err != nil {
		t.Fatalf("run(%q): %v\n%s", args, err, buf.String())
	}
	o := output{out: buf.String()}
	// With -progress the bar is redrawn after carriage returns: keep what
	// a terminal shows at the end.
	lines := strings.Split(o.out, "\n")
	for i, l := range lines {
		lines[i] = l[strings.LastIndexByte(l, '\r')+1:]
	}
	shown := strings.Join(lines, "\n")
	for _, m := range epochRe.FindAllStringSubmatch(shown, -1) {
		f, _ := strconv.ParseFloat(m[5], 64)
		o.losses = append(o.losses, f)
	}
	if m := accRe.FindStringSubmatch(shown); m != nil {
		o.acc, _ = strconv.ParseFloat(m[1], 64)
	} else {
		t.Fatalf("no test accuracy in\n%s", o.out)
	}
	return o
}

// A short run on a data set the test builds: the loss falls from about
// ln(10) epoch by epoch and the test images are classified.
func TestTrain(t *testing.T) {
	dir := syntheticDir(t, 300, 100)
	o := runParse(t, "-data", dir, "-epochs", "3", "-hidden", "32", "-progress")
	if !strings.Contains(o.out, "\repoch 2/3 [===") {
		t.Errorf("no progress bar in\n%q", o.out)
	}
	if len(o.losses) != 3 {
		t.Fatalf("%d epoch lines, want 3:\n%s", len(o.losses), o.out)
	}
	if o.losses[0] > math.Log(10) || o.losses[0] < 0.05 {
		t.Errorf("first epoch's loss %v: a network of random weights starts near ln(10) = 2.3 and cannot be done after 5 steps", o.losses[0])
	}
	for i := 1; i < len(o.losses); i++ {
		if !(o.losses[i] < o.losses[i-1]) {
			t.Errorf("loss did not fall: %v", o.losses)
		}
	}
	if o.acc < 90 {
		t.Errorf("test accuracy %v%% on well separated classes", o.acc)
	}
	if !strings.Contains(o.out, "300 training and 100 test images") {
		t.Errorf("counts not reported:\n%s", o.out)
	}
}

// One step on one batch lowers that batch's loss, and the gradients that
// backward computes match finite differences of the loss.
func TestStepAndGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d := &dataset{images: make([]byte, 8*side*side), labels: make([]byte, 8)}
	for i := range d.images {
		d.images[i] = byte(r.IntN(256))
	}
	for i := range d.labels {
		d.labels[i] = byte(i % classes)
	}
	n := newNet(side*side, 6, classes, 8, r)
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	n.load(d, idx)
	loss := float64(n.forward(true))
	n.backward()

	// Finite differences, in float64 from float32 parameters: a step of
	// 1e-2 keeps rounding small against the change.
	check := func(name string, value, grad []float32, which []int) {
		for _, i := range which {
			old := value[i]
			const h = 1e-2
			value[i] = old + h
			up := float64(n.forward(true))
			value[i] = old - h
			down := float64(n.forward(true))
			value[i] = old
			num := (up - down) / (2 * h)
			if math.Abs(num-float64(grad[i])) > 2e-3+2e-2*math.Abs(num) {
				t.Errorf("%s[%d]: gradient %v, finite difference %v", name, i, grad[i], num)
			}
		}
	}
	g1 := bytes.Clone(f32bytes(n.w1.Grad))
	check("fc2.weight", n.w2.Value, n.w2.Grad, []int{0, 7, 33, 59})
	check("fc2.bias", n.b2.Value, n.b2.Grad, []int{0, 3, 9})
	check("fc1.bias", n.b1.Value, n.b1.Grad, []int{0, 2, 5})
	check("fc1.weight", n.w1.Value, n.w1.Grad, []int{100, 2000, 4000})
	if !bytes.Equal(g1, f32bytes(n.w1.Grad)) {
		t.Fatal("forward changed the gradients")
	}

	opt, err := newOptimizer(n, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	defer opt.Close()
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	if after := float64(n.forward(true)); !(after < loss) {
		t.Errorf("loss %v after a step, %v before", after, loss)
	}
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, f := range v {
		b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
	}
	return b
}

// On the real data set, if Debian's dataset-fashion-mnist is installed.
func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(filepath.Join(defaultData, "train-images-idx3-ubyte.gz")); err != nil {
		testenv.Missing(t, "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	sets := map[string]*dataset{}
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", 60000}, {"t10k", 10000}} {
		d, err := loadSet(defaultData, s.prefix)
		if err != nil {
			t.Fatal(err)
		}
		if d.len() != s.n {
			t.Fatalf("%s: %d images, want %d", s.prefix, d.len(), s.n)
		}
		var per [classes]int
		for _, l := range d.labels {
			per[l]++
		}
		for c, k := range per {
			if k != s.n/classes { // Fashion-MNIST is balanced
				t.Errorf("%s: class %d has %d images, want %d", s.prefix, c, k, s.n/classes)
			}
		}
		sets[s.prefix] = d
	}
	if testing.Short() {
		t.Skip("-short: not training")
	}
	// One epoch on 1000 images, tested on 1000: small enough for an
	// emulator.
	var buf bytes.Buffer
	c := config{epochs: 1, batch: 64, hidden: 128, lr: 0.01, seed: 1}
	if err := fit(c, sets["train"].slice(1000), sets["t10k"].slice(1000), &buf); err != nil {
		t.Fatal(err)
	}
	m := accRe.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no accuracy in\n%s", buf.String())
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 55 {
		t.Errorf("test accuracy %v%% after one epoch of 1000 images:\n%s", acc, buf.String())
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-epochs", "0"}, {"-batch", "0"}, {"-limit", "-1"}, {"-lr", "-1", "-data", "x"}, {"extra"}, {"-nosuch"},
	} {
		var out bytes.Buffer
		if err := run(args, &out); err == nil {
			t.Errorf("run(%q) succeeded:\n%s", args, out.String())
		}
	}
	var out bytes.Buffer
	err := run([]string{"-data", filepath.Join(t.TempDir(), "none")}, &out)
	if err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Errorf("missing data: %v", err)
	}
	dir := syntheticDir(t, 20, 10)
	err = run([]string{"-data", dir, "-lr", "-1"}, &out)
	if err == nil || !strings.Contains(err.Error(), "Invalid learning rate: -1") {
		t.Errorf("-lr -1: %v", err)
	}
	err = run([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "dataset-fashion-mnist") {
		t.Errorf("-h: %v\n%s", err, out.String())
	}
}
