package adagrad

import "fmt"

// CheckSums returns an error naming the first element of s that no
// training can have produced: Adagrad's state is a sum of squares on top
// of a non-negative initial value, so a negative value or -Inf means a
// corrupt or foreign checkpoint. NaN is accepted: training on NaN
// gradients produces it. name names s in the error (a tensor's name).
func CheckSums[T float32 | float64](name string, s []T) error {
	for i, v := range s {
		if v < 0 {
			return fmt.Errorf("adagrad: %s[%d] is %v: a sum of squares cannot be negative", name, i, v)
		}
	}
	return nil
}
