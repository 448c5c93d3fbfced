package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionFromBuild builds the binary as make build does, with the
// version and commit passed to the linker, and checks that pybtc version
// prints them.
func TestVersionFromBuild(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "pybtc")
	build := exec.Command("go", "build", "-ldflags", "-X main.Version=v1.2.3 -X main.Commit=abc1234", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(out)), "pybtc v1.2.3 (commit abc1234)"; got != want {
		t.Fatalf("pybtc version printed %q, want %q", got, want)
	}
}
