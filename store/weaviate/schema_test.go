package weaviate

import (
	"errors"
	"testing"
)

// Weaviate's answer while its GraphQL schema has not caught up with a class
// just created is retried; any other error, or another class, is not.
func TestSchemaLags(t *testing.T) {
	class := "Rs_x_9ee73385a4fc"
	lag := errors.New(`Cannot query field "Rs_x_9ee73385a4fc" on type "AggregateObjectsObj". Did you mean "Rs_y"?`)
	for _, c := range []struct {
		err  error
		want bool
	}{
		{lag, true},
		{nil, false},
		{errors.New(`Cannot query field "Rs_other" on type "GetObjectsObj".`), false},
		{errors.New("connection refused"), false},
	} {
		if got := schemaLags(c.err, class); got != c.want {
			t.Errorf("schemaLags(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
