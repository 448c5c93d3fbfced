package experiments_test

import "testing"

func TestPrivateFork(t *testing.T) {
	out := runExperiment(t, "private-fork")
	if !out.OK {
		t.Errorf("outcome not OK: %s", out.Summary.EN)
	}
	for name, want := range map[string]int64{"payment_gone": 1, "reorg_depth": 2, "blocks_private": 3} {
		if got, ok := out.Figure(name); !ok || got != want {
			t.Errorf("figure %s = %d (%v); want %d", name, got, ok, want)
		}
	}
	trees := 0
	for _, s := range out.Steps {
		if s.Tree != "" {
			trees++
		}
	}
	if trees < 2 {
		t.Errorf("%d steps carry the fork picture; want it before and after the reorganisation", trees)
	}
}
