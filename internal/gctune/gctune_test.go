package gctune

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	tests := []struct {
		name        string
		gogc        string
		runtime     int // what the runtime runs with before Apply (as if from GOGC)
		wantPercent int
		wantFromEnv bool
	}{
		{name: "unset: the default", gogc: "", runtime: 100, wantPercent: DefaultPercent},
		{name: "blank counts as unset", gogc: "  ", runtime: 100, wantPercent: DefaultPercent},
		{name: "operator's value kept", gogc: "150", runtime: 150, wantPercent: 150, wantFromEnv: true},
		{name: "off kept", gogc: "off", runtime: -1, wantPercent: -1, wantFromEnv: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(tt.runtime)
			percent, fromEnv := Apply(func(k string) string {
				if k == "GOGC" {
					return tt.gogc
				}
				return ""
			})
			if percent != tt.wantPercent || fromEnv != tt.wantFromEnv {
				t.Errorf("Apply = %d, %v; want %d, %v", percent, fromEnv, tt.wantPercent, tt.wantFromEnv)
			}
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("runtime GOGC after Apply = %d, want %d", got, tt.wantPercent)
			}
		})
	}
}
