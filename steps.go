package adagrad

import (
	"fmt"
	"math"
)

// The step counter counts the steps taken, from 0; step t is the t-th,
// counted from 1. It can reach [math.MaxInt64]: a counter there is valid,
// saved and loaded like any other, and only the step after it is refused.

// NextStep returns the counter after one more step, or an error if that
// would overflow. Callers check it before they write anything, so that a
// refused step changes nothing.
func NextStep(steps int64) (int64, error) {
	if steps < 0 {
		return 0, fmt.Errorf("adagrad: step counter %d is negative", steps)
	}
	if steps == math.MaxInt64 {
		return 0, fmt.Errorf("adagrad: step counter %d cannot count another step", steps)
	}
	return steps + 1, nil
}

// CheckSteps returns an error if steps is not a counter that training could
// have reached: a negative number. Every counter a checkpoint can hold from
// 0 to [math.MaxInt64] is accepted, so whatever Save writes, Load reads.
func CheckSteps(steps int64) error {
	if steps < 0 {
		return fmt.Errorf("adagrad: step counter %d is negative", steps)
	}
	return nil
}
