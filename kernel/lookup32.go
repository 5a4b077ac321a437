package kernel

// CopyRows32 is [Path.CopyRows32] on the selected path.
func CopyRows32(dst, table []float32, dim int, rows []int64) {
	mustActive().CopyRows32(dst, table, dim, rows)
}

// AddRows32 is [Path.AddRows32] on the selected path.
func AddRows32(dst, table []float32, dim int, rows []int64, weights []float32) {
	mustActive().AddRows32(dst, table, dim, rows, weights)
}

// CopyRows32 copies the rows of a table of float32 weights (dim a row)
// that rows lists into dst, one after the other: dst[i*dim+j] is
// table[rows[i]*dim+j], bit for bit on every path. len(dst) must be
// len(rows)*dim, len(table) a multiple of dim and every row in the table
// (when dim > 0); otherwise it panics before writing anything. It is
// [Path.WidenRows] for float32 weights: the lookup of an embedding table.
func (p Path) CopyRows32(dst, table []float32, dim int, rows []int64) {
	checkLookup("CopyRows32", len(table), dim, dst, rows)
	vec := 0
	if p.id == asmID && lookup32Asm {
		vec = dim &^ 7
	}
	if vec > 0 && len(rows) > 0 {
		raceTableRows(table, dim, rows)
		raceWrite(dst)
		copyRows32Asm(dst, table, dim, rows)
	}
	if vec == dim {
		return
	}
	for i, r := range rows {
		o := int(r) * dim
		copy(dst[i*dim+vec:i*dim+dim], table[o+vec:o+dim])
	}
}

// AddRows32 adds the rows of a table of float32 weights that rows lists
// to the dim values in dst, in the order of rows, each row times its
// weight when weights is not nil (one per row): for each row r and column
// j in turn, dst[j] = dst[j] + x where x is table[r*dim+j], or
// float32(weights[i] * x) (the product rounded, then added: no fused
// multiply-add), as [Path.AddRowsHalf] does for 16-bit weights. Every
// result is correctly rounded, so every path gives the same bits, but for
// the payloads of NaNs. len(dst) must be dim, len(table) a multiple of
// dim, every row in the table (when dim > 0) and weights nil or of
// len(rows); otherwise it panics before writing anything.
func (p Path) AddRows32(dst, table []float32, dim int, rows []int64, weights []float32) {
	checkBag("AddRows32", len(table), dim, dst, rows, weights)
	vec := 0
	if p.id == asmID && lookup32Asm {
		vec = dim &^ 7
	}
	if vec > 0 && len(rows) > 0 {
		raceTableRows(table, dim, rows)
		raceRead(weights)
		raceRead(dst)
		raceWrite(dst)
		addRows32Asm(dst, table, dim, rows, weights)
	}
	if vec == dim {
		return
	}
	for i, r := range rows {
		o := int(r) * dim
		for j := vec; j < dim; j++ {
			x := table[o+j]
			if weights != nil {
				x = float32(weights[i] * x)
			}
			dst[j] += x
		}
	}
}
