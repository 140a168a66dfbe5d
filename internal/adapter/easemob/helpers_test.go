package easemob_test

import "github.com/crmlens/crmlens/internal/adapter/adaptertest"

// The helpers every platform's tests share (internal/adapter/adaptertest).
var (
	checkFuzzResult = adaptertest.CheckFuzzResult
	manyParams      = adaptertest.ManyParams
	mustJSON        = adaptertest.MustJSON
	sameAnswers     = adaptertest.SameAnswers
	sameMap         = adaptertest.SameMap
	wantCode        = adaptertest.WantCode
)
