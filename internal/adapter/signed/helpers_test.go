package signed_test

import "github.com/crmlens/crmlens/internal/adapter/adaptertest"

// The helpers every platform's tests share (internal/adapter/adaptertest).
var (
	checkFuzzResult = adaptertest.CheckFuzzResult
	sameAnswers     = adaptertest.SameAnswers
	sameMap         = adaptertest.SameMap
	wantAnyCode     = adaptertest.WantAnyCode
	wantCode        = adaptertest.WantCode
)
