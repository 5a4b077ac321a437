package adagrad

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The checkpoint form of [Options] is a JSON object under PyTorch's names
// (the keys of torch.optim.Adagrad's param_groups entries) and ours for
// EpsInside:
//
//	{"lr":0.01,"lr_decay":0,"weight_decay":0,"initial_accumulator_value":0,
//	 "eps":1e-10,"maximize":false,"eps_inside":false}
//
// A checkpoint may keep more members in the same object (optim keeps the
// group's parameter names under "params"): see [EncodeJSON] and
// [DecodeJSON].

// Member is one more member of the object that holds the options: a key
// and its value, encoded by encoding/json, or, to decode, a pointer to
// where the value goes.
type Member struct {
	Key   string
	Value any
}

// optionKeys are the options' keys, in the order they are written.
var optionKeys = [...]string{"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize", "eps_inside"}

// members returns the members of the object that holds o and extra: the
// options' keys with pointers to o's fields, in the order they are
// written, then extra. Extra members may not repeat a key.
//
// The members of the update kind and decay (onlineKeys) are listed only
// when online is true.
func (o *Options) members(extra []Member, online bool) ([]Member, error) {
	if err := checkExtra(extra); err != nil {
		return nil, err
	}
	fields := [...]any{&o.LR, &o.LRDecay, &o.WeightDecay, &o.InitialAccumulatorValue, &o.Eps, &o.Maximize, &o.EpsInside}
	ms := make([]Member, 0, len(optionKeys)+len(onlineKeys)+len(extra))
	for i, key := range optionKeys {
		ms = append(ms, Member{key, fields[i]})
	}
	if online {
		ms = o.appendOnline(ms)
	}
	return append(ms, extra...), nil
}

// MarshalJSON returns the options' checkpoint form. An infinite value,
// valid as a hyperparameter, is an error: JSON has no infinity.
func (o Options) MarshalJSON() ([]byte, error) { return EncodeJSON(o) }

// UnmarshalJSON reads the checkpoint form strictly, as [DecodeJSON] does.
func (o *Options) UnmarshalJSON(data []byte) error { return DecodeJSON(data, o) }

// EncodeJSON returns one JSON object holding o's checkpoint form followed by
// the members of extra, in order. A value JSON cannot hold (an infinite
// learning rate, say) is an error naming its key.
func EncodeJSON(o Options, extra ...Member) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	put := func(key string, v any) error {
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("adagrad: options JSON: %q cannot be written: %v", key, err)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key) // a string always encodes
		b.Write(k)
		b.WriteByte(':')
		b.Write(js)
		return nil
	}
	ms, err := o.members(extra, !o.plain())
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if err := put(m.Key, m.Value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// DecodeJSON reads one JSON object into o and the members of extra
// (whose Values are pointers), strictly: every key of the options and of
// extra must be there, exactly once and spelled exactly (keys are
// case-sensitive); any other key, a null, a value of the wrong type, or
// anything after the object is an error naming what is wrong. The options
// are not validated ([Options.Validate] does that). On error o and the
// extra values may have been partly written.
func DecodeJSON(data []byte, o *Options, extra ...Member) error {
	errf := func(format string, args ...any) error {
		return fmt.Errorf("adagrad: options JSON: "+format, args...)
	}
	ms, err := o.members(extra, true)
	if err != nil {
		return err
	}
	targets := make(map[string]any, len(ms))
	for _, m := range ms {
		targets[m.Key] = m.Value
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errf("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errf("%v", truncated(err))
		}
		key := tok.(string) // inside an object, Token returns keys as strings
		target, ok := targets[key]
		if !ok {
			for k := range targets {
				if strings.EqualFold(k, key) {
					return errf("key %q: keys are case-sensitive, want %q", key, k)
				}
			}
			return errf("unknown key %q", key)
		}
		if seen[key] {
			return errf("key %q appears more than once", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return errf("%q: %v", key, truncated(err))
		}
		if string(raw) == "null" {
			return errf("%q is null", key)
		}
		if err := json.Unmarshal(raw, target); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return errf("%q: %s is not a %v", key, te.Value, te.Type)
			}
			return errf("%q: %v", key, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return errf("%v", truncated(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errf("data after the object")
	}
	online := onlineSeen(seen)
	if !online {
		o.resetOnline() // a file of plain Adagrad, written without those keys
	}
	for _, m := range ms {
		if !seen[m.Key] && (online || !slices.Contains(onlineKeys[:], m.Key)) {
			return errf("no %q", m.Key)
		}
	}
	return nil
}

// checkExtra refuses extra members that repeat a key: an option's, or
// another member's.
func checkExtra(extra []Member) error {
	for i, m := range extra {
		if slices.Contains(optionKeys[:], m.Key) || slices.Contains(onlineKeys[:], m.Key) {
			return fmt.Errorf("adagrad: options JSON: extra member %q is an option's key", m.Key)
		}
		for _, n := range extra[:i] {
			if n.Key == m.Key {
				return fmt.Errorf("adagrad: options JSON: extra member %q given twice", m.Key)
			}
		}
	}
	return nil
}

// truncated names the end of input the decoder reports as EOF.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the object is cut short")
	}
	return err
}
