package sharecrm_test

import "github.com/crmlens/crmlens/internal/adapter/adaptertest"

// The helpers every platform's tests share (internal/adapter/adaptertest).
type vectors = adaptertest.Vectors

var (
	checkFuzzResult = adaptertest.CheckFuzzResult
	loadVectors     = adaptertest.LoadVectors
	manyParams      = adaptertest.ManyParams
	mustJSON        = adaptertest.MustJSON
	sameAnswers     = adaptertest.SameAnswers
	sameMap         = adaptertest.SameMap
	sha256Hex       = adaptertest.SHA256Hex
	wantAnyCode     = adaptertest.WantAnyCode
	wantCode        = adaptertest.WantCode
)
