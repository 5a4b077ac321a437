package adagrad_test

import (
	"fmt"

	"github.com/adagrad-go/adagrad"
)

func ExampleOptions() {
	o := adagrad.Defaults()
	o.LR, o.LRDecay = 0.1, 0.5
	fmt.Println(o.Validate())
	for t := int64(1); t <= 3; t++ {
		fmt.Printf("step %d: lr %.4f\n", t, o.LRAt(t))
	}
	o.LR = -1
	fmt.Println(o.Validate())
	// Output:
	// <nil>
	// step 1: lr 0.1000
	// step 2: lr 0.0667
	// step 3: lr 0.0500
	// adagrad: Invalid learning rate: -1
}

func ExampleDecodeJSON() {
	js := `{"lr":0.1,"lr_decay":0,"weight_decay":0,"initial_accumulator_value":0,` +
		`"eps":1e-10,"maximize":false,"eps_inside":false,"params":["w","b"]}`
	var o adagrad.Options
	var params []string
	err := adagrad.DecodeJSON([]byte(js), &o, adagrad.Member{Key: "params", Value: &params})
	fmt.Println(o.LR, params, err)
	err = o.UnmarshalJSON([]byte(js)) // "params" is not an option
	fmt.Println(err)
	// Output:
	// 0.1 [w b] <nil>
	// adagrad: options JSON: unknown key "params"
}
