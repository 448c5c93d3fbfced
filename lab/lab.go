// Package lab is the vocabulary of the experiments of SPEC §12 (package
// lab/experiments runs them): the steps they narrate and the outcome they
// end with, in English and Korean, for the command `pybtc lab` and the
// page /lab alike.
package lab

import "time"

// Text is one sentence in both of the languages pyBTC speaks.
type Text struct {
	EN string `json:"en"`
	KO string `json:"ko"`
}

// In returns the text in lang ("ko" for Korean, English otherwise).
func (t Text) In(lang string) string {
	if lang == "ko" && t.KO != "" {
		return t.KO
	}
	return t.EN
}

// Step is one thing that happened during an experiment, as it happened.
type Step struct {
	// At is how long after the start it happened.
	At time.Duration `json:"at_ns"`
	// Node names the node that acted ("A", "B", "tutorial"), or "" for
	// the experiment itself.
	Node string `json:"node,omitempty"`
	// Text says what happened.
	Text Text `json:"text"`
	// Hashes is how many hashes the step spent, when it mined.
	Hashes int64 `json:"hashes,omitempty"`
	// Tree is the fork picture after the step (an SVG of the block tree
	// of the node the experiment watches), when the step changed it.
	Tree string `json:"tree,omitempty"`
}

// Figure is one number of an outcome.
type Figure struct {
	Name  string `json:"name"` // a stable key, e.g. "hashes_tutorial"
	Label Text   `json:"label"`
	Value int64  `json:"value"`
}

// Outcome is how an experiment ended.
type Outcome struct {
	Name string `json:"name"`
	// OK is true when what happened is what the lesson claims.
	OK bool `json:"ok"`
	// Summary says it in numbers, Why explains it and how Bitcoin
	// prevents it.
	Summary Text     `json:"summary"`
	Why     Text     `json:"why"`
	Figures []Figure `json:"figures"`
	Steps   []Step   `json:"steps"`
	// Took is how long the experiment ran.
	Took time.Duration `json:"took_ns"`
}

// Figure returns the value of the figure named name, and whether there is
// one.
func (o Outcome) Figure(name string) (int64, bool) {
	for _, f := range o.Figures {
		if f.Name == name {
			return f.Value, true
		}
	}
	return 0, false
}

// Info names an experiment and says what it shows.
type Info struct {
	Name  string `json:"name"`
	Title Text   `json:"title"`
	Claim Text   `json:"claim"`
}
