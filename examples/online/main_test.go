package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/adagrad-go/adagrad/internal/testenv"
)

var rowRe = regexp.MustCompile(`(?m)^(\w+) +([0-9.]+) +([0-9.]+)% +([0-9.]+) +([0-9.]+)% +(\d+) +([0-9.]+)% +[0-9.]+s$`)

// TestSlice trains on a small slice of the real word lists: every
// optimizer must beat chance (1/6) clearly, and L1 must give FTRL exact
// zeros that Adagrad does not have.
func TestSlice(t *testing.T) {
	for _, l := range languages {
		if _, err := os.Stat(filepath.Join("/usr/share/dict", l.file)); err != nil {
			testenv.Missing(t, "the %s word list is not installed (apt-get install %s): %v", l.name, l.pkg, err)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"-per", "1500", "-buckets", "65536"}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	rows := rowRe.FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 3 {
		t.Fatalf("%d result lines in\n%s", len(rows), out.String())
	}
	zeros := map[string]float64{}
	for _, m := range rows {
		loss, _ := strconv.ParseFloat(m[2], 64)
		acc, _ := strconv.ParseFloat(m[3], 64)
		if acc < 50 || loss > 1.4 || loss <= 0 {
			t.Errorf("%s: progressive log loss %v, accuracy %v%%: no better than chance", m[1], loss, acc)
		}
		zeros[m[1]], _ = strconv.ParseFloat(m[7], 64)
	}
	if zeros["ftrl"] < 10 || zeros["adagrad"] > 1 {
		t.Errorf("zero weights: %v; want many for ftrl, almost none for adagrad", zeros)
	}
}

func TestMissingData(t *testing.T) {
	err := run([]string{"-dict", t.TempDir()}, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "install Debian's wamerican package") {
		t.Errorf("missing data: %v", err)
	}
}

func TestFeatures(t *testing.T) {
	f := features(nil, "ab", 1000)
	// bias, then " ab " gives 4 unigrams, 3 bigrams, 2 trigrams, 1 4-gram.
	if len(f) != 11 || f[0] != 0 {
		t.Fatalf("features %v", f)
	}
	for _, x := range f[1:] {
		if x < 1 || x >= 1000 {
			t.Errorf("feature %d outside [1, 1000)", x)
		}
	}
	if f[1] != f[4] { // the two spaces
		t.Errorf("the same n-gram hashed differently: %v", f)
	}
}
