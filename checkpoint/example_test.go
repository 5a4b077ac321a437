package checkpoint_test

import (
	"bytes"
	"fmt"

	"github.com/adagrad-go/adagrad/checkpoint"
)

func Example() {
	f := &checkpoint.File{
		Metadata: map[string]string{"format": "pt"},
		Tensors: []checkpoint.Tensor{
			{Name: "weight", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}},
			{Name: "step", Shape: []int{}, Data: []int64{10}},
		},
	}
	var buf bytes.Buffer
	if err := checkpoint.Encode(&buf, f); err != nil {
		fmt.Println(err)
		return
	}
	g, err := checkpoint.Decode(buf.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	w, _ := g.Tensor("weight")
	fmt.Println(w.DType(), w.Shape, w.Data, g.Metadata["format"])

	// A damaged file is an error, never a panic.
	_, err = checkpoint.Decode(buf.Bytes()[:buf.Len()-1])
	fmt.Println(err != nil)
	// Output:
	// F32 [2 2] [1 2 3 4] pt
	// true
}
