package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// memRefName is the path that moves a step's bytes with trivial arithmetic:
// drawn dashed, as the reference the kernels are measured against.
const memRefName = "mem-ref"

// pixel is one pixel at the resolution of the raster formats (96 per inch).
const pixel = vg.Inch / 96

// writePicture draws rep into the file name in format, width by height
// pixels: a title, one panel per element type, and one legend for all.
func writePicture(rep report, name, format string, width, height int) error {
	c, err := draw.NewFormattedCanvas(vg.Length(width)*pixel, vg.Length(height)*pixel, format)
	if err != nil {
		return err
	}
	if err := drawReport(draw.New(c), rep); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// drawReport draws rep onto c.
func drawReport(c draw.Canvas, rep report) error {
	rs := usableResults(rep.Results)
	var types, paths []string
	for _, r := range rs {
		if !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
		if !slices.Contains(paths, r.Path) {
			paths = append(paths, r.Path)
		}
	}
	// mem-ref last, so that the legend lists the kernels first.
	if i := slices.Index(paths, memRefName); i >= 0 {
		paths = append(slices.Delete(paths, i, i+1), memRefName)
	}
	xmin, xmax, ymin, ymax := bounds(rs)

	const pad = 8 * pixel
	c = draw.Crop(c, pad, -pad, pad, -pad)
	c = drawTitle(c, rep)

	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.Padding = 2 * pixel
	var panels []*plot.Plot
	for _, typ := range types {
		p := plot.New()
		p.Title.Text = typ
		p.X.Label.Text = "n, elements per slice"
		p.Y.Label.Text = "ns per element"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker = plot.TickerFunc(sizeTicks)
		p.Y.Tick.Marker = plot.TickerFunc(decadeTicks)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
		grid := plotter.NewGrid()
		grid.Vertical.Color = color.Gray{Y: 220}
		grid.Horizontal.Color = color.Gray{Y: 220}
		p.Add(grid)
		for i, path := range paths {
			xys := points(rs, typ, path)
			if len(xys) == 0 {
				continue
			}
			line, marks, err := plotter.NewLinePoints(xys)
			if err != nil {
				return fmt.Errorf("%s %s: %v", typ, path, err)
			}
			style(line, marks, i, path)
			p.Add(line, marks)
		}
		panels = append(panels, p)
	}
	// A path has the same style in every panel: one legend entry each.
	for i, path := range paths {
		line, marks, _ := plotter.NewLinePoints(plotter.XYs{{X: 1, Y: 1}})
		style(line, marks, i, path)
		label := path
		if path == memRefName {
			label += " (memory reference)"
		}
		legend.Add(label, line, marks)
	}

	// The legend takes a column on the right, the panels share the rest.
	legendWidth := legend.Rectangle(c).Size().X + 2*pad
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: 3 * pad}
	area := draw.Crop(c, 0, -legendWidth, 0, 0)
	for i, p := range panels {
		p.Draw(tiles.At(area, i, 0))
	}
	// Top-align the legend with the panels' data area.
	top := panels[0].DataCanvas(tiles.At(area, 0, 0)).Max.Y
	legend.Draw(draw.Crop(c, c.Size().X-legendWidth+2*pad, 0, 0, top-c.Max.Y))
	return nil
}

// drawTitle writes the title, naming the CPU and the Go version, at the top
// of c and returns what is left below it.
func drawTitle(c draw.Canvas, rep report) draw.Canvas {
	sty := plot.New().Title.TextStyle
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	sty.Font.Size = vg.Points(13)
	x := c.Center().X
	y := c.Max.Y
	line1 := "Adagrad step: ns per element against n"
	c.FillText(sty, vg.Point{X: x, Y: y}, line1)
	y -= sty.Rectangle(line1).Size().Y * 1.3

	sty.Font.Size = vg.Points(10)
	line2 := subtitle(rep)
	c.FillText(sty, vg.Point{X: x, Y: y}, line2)
	y -= sty.Rectangle(line2).Size().Y * 1.6
	return draw.Crop(c, 0, 0, 0, y-c.Max.Y)
}

// subtitle names where rep was measured: the CPU, the Go version, the
// platform and GOMAXPROCS, as far as the report says.
func subtitle(rep report) string {
	var parts []string
	if rep.CPU != "" {
		parts = append(parts, rep.CPU)
	}
	goVersion := rep.GoVersion
	if goVersion == "" {
		goVersion = "Go version not recorded"
	}
	platform := goVersion
	if rep.GOOS != "" || rep.GOARCH != "" {
		platform += " " + rep.GOOS + "/" + rep.GOARCH
	}
	if rep.ArchLevel != "" {
		platform += " " + rep.ArchLevel
	}
	parts = append(parts, platform)
	if rep.GOMAXPROCS > 0 {
		parts = append(parts, "GOMAXPROCS="+strconv.Itoa(rep.GOMAXPROCS))
	}
	return strings.Join(parts, ", ")
}

// style gives the ith path its colour and glyph; the memory reference is
// drawn dashed in black.
func style(line *plotter.Line, marks *plotter.Scatter, i int, path string) {
	col := plotutil.DarkColors[i%len(plotutil.DarkColors)]
	line.Width = vg.Points(1.8)
	if path == memRefName {
		col = color.Black
		line.Width = vg.Points(1.4)
		line.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	}
	line.Color = col
	marks.Color = col
	marks.Shape = plotutil.Shape(i)
	marks.Radius = vg.Points(3)
}

// points returns the (n, ns/element) points of one type and path, by n.
func points(rs []result, typ, path string) plotter.XYs {
	var xys plotter.XYs
	for _, r := range rs {
		if r.Type == typ && r.Path == path {
			xys = append(xys, plotter.XY{X: float64(r.N), Y: r.NsPerElem})
		}
	}
	slices.SortFunc(xys, func(a, b plotter.XY) int {
		switch {
		case a.X < b.X:
			return -1
		case a.X > b.X:
			return 1
		}
		return 0
	})
	return xys
}

// bounds returns the axes' ranges, the same in every panel so that they
// compare at a glance, with a margin of a factor 2 each side for n and 1.5
// for ns/element.
func bounds(rs []result) (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, r := range rs {
		xmin, xmax = min(xmin, float64(r.N)), max(xmax, float64(r.N))
		ymin, ymax = min(ymin, r.NsPerElem), max(ymax, r.NsPerElem)
	}
	return xmin / 2, xmax * 2, ymin / 1.5, ymax * 1.5
}

// sizeTicks marks every power of 4 between min and max and labels the
// powers of 1024 (1, 1K, 1M, 1G), or every power of 4 when fewer than two
// powers of 1024 fall in the range.
func sizeTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	labelled := 0
	for k := int(math.Floor(math.Log(lo) / math.Log(4))); ; k++ {
		v := math.Pow(4, float64(k))
		if v > hi*(1+1e-9) {
			break
		}
		if v < lo*(1-1e-9) {
			continue
		}
		t := plot.Tick{Value: v}
		if k%5 == 0 {
			t.Label = formatSize(v)
			labelled++
		}
		ticks = append(ticks, t)
	}
	if labelled < 2 {
		for i := range ticks {
			ticks[i].Label = formatSize(ticks[i].Value)
		}
	}
	return ticks
}

// formatSize writes n as the report's sizes do: 1, 16, 1K, 256K, 64M, 1G.
func formatSize(n float64) string {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if n >= u.scale && math.Mod(n, u.scale) == 0 {
			return strconv.FormatFloat(n/u.scale, 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(n, 'g', -1, 64)
}

// decadeTicks marks 1 to 9 times every power of 10 between min and max
// and labels the powers of 10 (0.01, 0.1, 1, 10).
func decadeTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); ; e++ {
		decade := math.Pow(10, float64(e))
		if decade > hi*(1+1e-9) {
			break
		}
		for m := 1; m <= 9; m++ {
			v := float64(m) * decade
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	// Label the powers of 10, or also 2 and 5 times them when fewer than
	// two powers of 10 fall in the range.
	labels := []float64{1}
	if countDecades(ticks) < 2 {
		labels = []float64{1, 2, 5}
	}
	for i, t := range ticks {
		m := t.Value / math.Pow(10, math.Floor(math.Log10(t.Value)+1e-9))
		for _, l := range labels {
			if math.Abs(m-l) < 1e-6 {
				ticks[i].Label = strconv.FormatFloat(t.Value, 'g', 6, 64)
			}
		}
	}
	return ticks
}

// countDecades counts the powers of 10 among ticks.
func countDecades(ticks []plot.Tick) int {
	k := 0
	for _, t := range ticks {
		e := math.Log10(t.Value)
		if math.Abs(e-math.Round(e)) < 1e-9 {
			k++
		}
	}
	return k
}
