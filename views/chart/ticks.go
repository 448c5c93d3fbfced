package chart

import (
	"math"
	"strconv"
)

// niceTicks returns 3 to 5 evenly spaced round values (steps of 1, 2 or 5
// times a power of ten) whose range covers lo and hi and includes 0, the
// baseline a reader expects for counts, durations and balances.
func niceTicks(lo, hi float64) []float64 {
	lo, hi = min(clampValue(lo), 0), max(clampValue(hi), 0)
	if hi-lo < minSpan {
		// Nothing to scale by: an axis from 0 to 1 at least shows where 0 is.
		hi = 1
	}
	step := niceStep((hi - lo) / 4)
	for {
		first := math.Floor(lo/step) * step
		last := math.Ceil(hi/step) * step
		n := int(math.Round((last - first) / step))
		if n <= 4 {
			ticks := make([]float64, n+1)
			for i := range ticks {
				// Multiplying, not adding, keeps float error from piling up.
				ticks[i] = first + float64(i)*step
			}
			return ticks
		}
		step = niceStep(step * 1.5)
	}
}

// maxValue bounds what a chart draws: beyond it a value is drawn as if it
// were maxValue. Far below math.MaxFloat64, so that the difference of two
// values, a tick rounded up or a scale's span never overflows to infinity.
// Values this large only come from hostile data, such as a peer's block
// stamped -1.6e308.
const maxValue = 1e300

// minSpan is the smallest span an axis scales by; a smaller one (denormal
// values) would make the step underflow to 0.
const minSpan = 1e-250

// clampValue bounds a finite v to ±maxValue.
func clampValue(v float64) float64 {
	return max(-maxValue, min(v, maxValue))
}

// niceStep returns the smallest of 1, 2 or 5 times a power of ten that is
// at least raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// formatTick formats a tick with as many decimals as step needs, so that
// 0.1+0.2 shows as 0.3, and with k or M once the numbers grow long.
func formatTick(v, step float64) string {
	suffix := ""
	switch {
	case step >= 1e6:
		v, step, suffix = v/1e6, step/1e6, "M"
	case step >= 1e3:
		v, step, suffix = v/1e3, step/1e3, "k"
	}
	decimals := 0
	if step > 0 && step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
		// 0.25 needs two decimals though its power of ten says one.
		for decimals < 10 && math.Abs(step*math.Pow(10, float64(decimals))-math.Round(step*math.Pow(10, float64(decimals)))) > 1e-6 {
			decimals++
		}
	}
	// Rounding first and then printing the shortest form gives 0.5 and 1,
	// not 0.5 and 1.0.
	p := math.Pow(10, float64(decimals))
	v = math.Round(v*p) / p
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + suffix
}
