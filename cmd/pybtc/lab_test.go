package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/lab/experiments"
)

// labFake is a runner with two experiments; "rewrite" narrates two steps
// and ends with out, or err.
type labFake struct {
	out lab.Outcome
	err error
	ran []string
}

func (f *labFake) Infos() []lab.Info {
	return []lab.Info{
		{Name: "rewrite", Title: lab.Text{EN: "Rewrite history", KO: "기록 고쳐 쓰기"}, Claim: lab.Text{EN: "An edited payment wins.", KO: "고친 거래가 이깁니다."}},
		{Name: "steal", Title: lab.Text{EN: "Steal", KO: "훔치기"}},
	}
}

func (f *labFake) Run(ctx context.Context, name string, each func(lab.Step)) (lab.Outcome, error) {
	f.ran = append(f.ran, name)
	steps := []lab.Step{
		{At: 100 * time.Millisecond, Node: "A", Text: lab.Text{EN: "A mines block 2.", KO: "A가 블록 2를 채굴합니다."}, Hashes: 65536},
		{At: 1200 * time.Millisecond, Node: "B", Text: lab.Text{EN: "B adopts the edited chain.", KO: "B가 고친 체인을 받아들입니다."}},
	}
	for _, st := range steps {
		each(st)
	}
	if f.err != nil {
		return lab.Outcome{}, f.err
	}
	out := f.out
	out.Name, out.Steps, out.Took = name, steps, 1300*time.Millisecond
	return out, nil
}

func newLabFake(ok bool) *labFake {
	return &labFake{out: lab.Outcome{
		OK:      ok,
		Summary: lab.Text{EN: "Rewriting block 2 of 3 cost 65,536 hashes.", KO: "블록 2를 고쳐 쓰는 데 해시 65,536번."},
		Why:     lab.Text{EN: "Nodes take the longest chain.", KO: "노드는 가장 긴 체인을 받아들입니다."},
		Figures: []lab.Figure{{Name: "hashes_tutorial", Label: lab.Text{EN: "Hashes, tutorial rules", KO: "해시 수"}, Value: 2490000}},
	}}
}

func runLabCLI(t *testing.T, r *labFake, env map[string]string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runLabWith(t.Context(), r, func(k string) string { return env[k] }, args, &stdout, &stderr)
	return cliResult{stdout.String(), stderr.String(), code}
}

func TestLabCLIExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		fake *labFake
		args []string
		code int
		ran  bool
	}{
		{"ClaimHolds", newLabFake(true), []string{"rewrite"}, 0, true},
		{"ClaimFails", newLabFake(false), []string{"rewrite"}, 1, true},
		{"RunFails", &labFake{err: errors.New("not built yet")}, []string{"rewrite"}, 3, true},
		{"Unknown", newLabFake(true), []string{"nope"}, 2, false},
		{"TwoNames", newLabFake(true), []string{"rewrite", "steal"}, 2, false},
		{"BadLang", newLabFake(true), []string{"rewrite", "--lang", "fr"}, 2, false},
		{"BadFlag", newLabFake(true), []string{"--colour"}, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runLabCLI(t, tc.fake, nil, tc.args...)
			if r.code != tc.code {
				t.Fatalf("pybtc lab %v: exit %d, want %d\nstdout: %s\nstderr: %s", tc.args, r.code, tc.code, r.stdout, r.stderr)
			}
			if ran := len(tc.fake.ran) > 0; ran != tc.ran {
				t.Errorf("ran=%v, want %v", ran, tc.ran)
			}
			if tc.code >= 2 && r.stderr == "" {
				t.Errorf("exit %d with nothing on stderr", tc.code)
			}
		})
	}
}

func TestLabCLINarrates(t *testing.T) {
	r := runLabCLI(t, newLabFake(true), map[string]string{"LANG": "en_US.UTF-8"}, "rewrite")
	for _, want := range []string{
		"[  0.1s] A        A mines block 2. (65,536 hashes)",
		"[  1.2s] B        B adopts the edited chain.",
		"What the lesson claims happened.",
		"Rewriting block 2 of 3 cost 65,536 hashes.",
		"Hashes, tutorial rules", "2,490,000",
		"Why: Nodes take the longest chain.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Index(r.stdout, "A mines") > strings.Index(r.stdout, "Rewriting block 2") {
		t.Errorf("the summary comes before the steps:\n%s", r.stdout)
	}
}

func TestLabCLIKorean(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		ko   bool
	}{
		{map[string]string{"LANG": "ko_KR.UTF-8"}, nil, true},
		{map[string]string{"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, nil, true},
		{map[string]string{"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, nil, false},
		{map[string]string{"LC_MESSAGES": "ko_KR", "LANG": "en_US"}, nil, true},
		{map[string]string{"LANG": "ko_KR.UTF-8"}, []string{"--lang", "en"}, false},
		{nil, []string{"--lang", "ko"}, true},
	} {
		r := runLabCLI(t, newLabFake(true), tc.env, append([]string{"rewrite"}, tc.args...)...)
		if got := strings.Contains(r.stdout, "A가 블록 2를 채굴합니다.") && strings.Contains(r.stdout, "해시 65,536번"); got != tc.ko {
			t.Errorf("env %v args %v: Korean=%v, want %v:\n%s", tc.env, tc.args, got, tc.ko, r.stdout)
		}
	}
}

func TestLabCLIJSON(t *testing.T) {
	r := runLabCLI(t, newLabFake(true), nil, "--json", "rewrite")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var out lab.Outcome
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("stdout is not an outcome: %v\n%s", err, r.stdout)
	}
	if v, _ := out.Figure("hashes_tutorial"); out.Name != "rewrite" || !out.OK || len(out.Steps) != 2 || v != 2490000 || out.Summary.KO == "" {
		t.Errorf("outcome %+v", out)
	}
	var raw map[string]any
	json.Unmarshal([]byte(r.stdout), &raw)
	for _, key := range []string{"name", "ok", "summary", "why", "figures", "steps", "took_ns"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("the JSON has no %q: %s", key, r.stdout)
		}
	}

	r = runLabCLI(t, newLabFake(true), nil, "--json")
	var infos []lab.Info
	if err := json.Unmarshal([]byte(r.stdout), &infos); err != nil || len(infos) != 2 || infos[0].Name != "rewrite" {
		t.Errorf("list as JSON: %v %s", err, r.stdout)
	}
}

// TestLabCLIReal runs the command as users do, with the real experiments:
// the list names them all, and an unknown name is a usage error.
func TestLabCLIReal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"lab"}, &stdout, &stderr); code != 0 {
		t.Fatalf("pybtc lab: exit %d: %s", code, stderr.String())
	}
	for _, name := range experiments.Order {
		if !strings.Contains(stdout.String(), name) {
			t.Errorf("pybtc lab does not list %s:\n%s", name, stdout.String())
		}
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"lab", "no-such"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "rewrite") {
		t.Errorf("pybtc lab no-such: exit %d, stderr %q; want 2 naming the experiments", code, stderr.String())
	}
	stdout.Reset()
	if code := run(t.Context(), []string{"help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "pybtc lab") {
		t.Errorf("the help does not mention pybtc lab")
	}
}

// TestLabNodeFlag: the Run button of /lab works only on a node started
// with --lab or --dev.
func TestLabNodeFlag(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		enabled bool
	}{{nil, false}, {[]string{"--lab"}, true}, {[]string{"--dev"}, true}} {
		p := MustStartNode(t, filepath.Join(t.TempDir(), "node.db"), tc.args...)
		resp, err := http.Get(p.URL + "/lab/rewrite")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%v: GET /lab/rewrite: %d", tc.args, resp.StatusCode)
		}
		disabled := strings.Contains(string(body), `id="lab-button" disabled`)
		if disabled == tc.enabled {
			t.Errorf("node %v: Run button disabled=%v, want %v", tc.args, disabled, !tc.enabled)
		}
	}
}
