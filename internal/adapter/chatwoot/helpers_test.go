package chatwoot_test

import "github.com/crmlens/crmlens/internal/adapter/adaptertest"

// The helpers every platform's tests share (internal/adapter/adaptertest).
var (
	checkFuzzResult = adaptertest.CheckFuzzResult
	manyParams      = adaptertest.ManyParams
	sameMap         = adaptertest.SameMap
	wantCode        = adaptertest.WantCode
)
