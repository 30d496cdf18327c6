package eval

import (
	"bufio"
	"errors"
	"fmt"

	"github.com/reportsearch/reportsearch/internal/bytesize"
)

// Line limits of the line-based formats read here. A line over the limit is
// an error naming file:line and the limit, never bufio's bare "token too
// long".
const (
	MaxQuestionLine = 16 << 20 // a question set's JSONL line
	MaxDatasetLine  = 64 << 20 // a BEIR corpus or queries line
	MaxTRECLine     = 1 << 20  // a run or qrels line
)

// newScanner reads lines of up to limit bytes.
func newScanner(r interface{ Read([]byte) (int, error) }, limit int) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), limit)
	return sc
}

// scanError describes the error a scanner stopped with; line is the number
// of the line it was reading.
func scanError(name string, line, limit int, err error) error {
	if errors.Is(err, bufio.ErrTooLong) {
		return fmt.Errorf("%s:%d: line is longer than %s, the most a line may hold", name, line, bytesize.Exact(int64(limit)))
	}
	return fmt.Errorf("%s: %w", name, err)
}
