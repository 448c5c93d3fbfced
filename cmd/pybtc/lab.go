package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/pybtc/pybtc/api"
	"github.com/pybtc/pybtc/lab"
	"github.com/pybtc/pybtc/lab/experiments"
)

const labUsage = `Usage:
  pybtc lab [--json]                       list the experiments
  pybtc lab NAME [--json] [--lang en|ko]   run one and narrate it

Each experiment shows one weakness of the tutorial's blockchain, or the
rule that closes it, on a throw-away network of real nodes started on
127.0.0.1 with their own temporary databases (never your node's). It
narrates each step as it happens, then says what happened in numbers and
why. The language is --lang, else the locale (LC_ALL, LC_MESSAGES, LANG):
Korean when it starts with "ko", English otherwise. PYBTC_TUTORIAL_NODE,
the path of the tutorial's node_network_1.py, adds a tutorial node to the
experiments that use one.

--json prints the experiments, or the outcome with every step, as JSON.

Exit codes:
  0  the outcome is the one the lesson claims
  1  it is not
  2  usage error: unknown experiment, bad flag
  3  the experiment could not run
`

// runLab runs "pybtc lab" with the experiments of package experiments.
func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	r := &experiments.Runner{TutorialNode: os.Getenv("PYBTC_TUTORIAL_NODE")}
	return runLabWith(ctx, r, os.Getenv, args, stdout, stderr)
}

// runLabWith runs "pybtc lab" with runner, reading the locale with getenv.
func runLabWith(ctx context.Context, runner api.LabRunner, getenv func(string) string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pybtc lab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the list or the outcome as JSON")
	lang := fs.String("lang", "", "en or ko (default: from LC_ALL, LC_MESSAGES or LANG)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), labUsage+"\nFlags:\n")
		fs.PrintDefaults()
	}
	// The name may come before the flags or after them.
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	name := fs.Arg(0)
	if name != "" {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "pybtc lab: unexpected argument %q: one experiment at a time\n", fs.Arg(0))
			return exitUsage
		}
	}
	switch *lang {
	case "":
		*lang = localeLang(getenv)
	case "en", "ko":
	default:
		fmt.Fprintf(stderr, "pybtc lab: --lang %q: want en or ko\n", *lang)
		return exitUsage
	}

	infos := runner.Infos()
	if name == "" {
		return listLab(infos, *lang, *asJSON, stdout, stderr)
	}
	known := false
	var names []string
	for _, i := range infos {
		names = append(names, i.Name)
		known = known || i.Name == name
	}
	if !known {
		fmt.Fprintf(stderr, "pybtc lab: no experiment is called %q; the experiments are %s\n", name, strings.Join(names, ", "))
		return exitUsage
	}

	say := func(en, ko string) string {
		if *lang == "ko" {
			return ko
		}
		return en
	}
	each := func(st lab.Step) {
		if *asJSON {
			return
		}
		line := fmt.Sprintf("[%5.1fs] %-8s %s", st.At.Seconds(), st.Node, st.Text.In(*lang))
		if st.Hashes > 0 {
			line += " (" + fmt.Sprintf(say("%s hashes", "해시 %s번"), grouped(st.Hashes)) + ")"
		}
		fmt.Fprintln(stdout, line)
	}
	out, err := runner.Run(ctx, name, each)
	if err != nil {
		if errors.Is(err, experiments.ErrUnknown) {
			fmt.Fprintln(stderr, "pybtc lab:", err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "pybtc lab: %s: %v\n", say("the experiment could not run", "실험을 실행할 수 없었습니다"), err)
		return exitUnreachable
	}
	if *asJSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "pybtc lab:", err)
			return exitUnreachable
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		verdict := say("What the lesson claims happened.", "수업에서 말한 대로 일어났습니다.")
		if !out.OK {
			verdict = say("This run did NOT show what the lesson claims.", "이번 실행에서는 수업에서 말한 결과가 나오지 않았습니다.")
		}
		fmt.Fprintf(stdout, "\n%s\n%s\n\n", verdict, out.Summary.In(*lang))
		for _, f := range out.Figures {
			fmt.Fprintf(stdout, "  %-40s %15s\n", f.Label.In(*lang), grouped(f.Value))
		}
		if len(out.Figures) > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "%s %s\n\n%s\n", say("Why:", "왜 그럴까요:"), out.Why.In(*lang),
			fmt.Sprintf(say("The experiment took %.1f s.", "실험에 %.1f초 걸렸습니다."), out.Took.Seconds()))
	}
	if !out.OK {
		return exitRefused
	}
	return exitOK
}

// listLab prints the experiments: name, title and claim.
func listLab(infos []lab.Info, lang string, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		if infos == nil {
			infos = []lab.Info{}
		}
		b, err := json.MarshalIndent(infos, "", "  ")
		if err != nil {
			fmt.Fprintln(stderr, "pybtc lab:", err)
			return exitUnreachable
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	for _, i := range infos {
		fmt.Fprintf(stdout, "%-14s %s\n", i.Name, i.Title.In(lang))
		if claim := i.Claim.In(lang); claim != "" {
			fmt.Fprintf(stdout, "%-14s %s\n", "", claim)
		}
	}
	return exitOK
}

// localeLang is "ko" when the locale the environment sets for messages
// (LC_ALL, else LC_MESSAGES, else LANG) is Korean, "en" otherwise.
func localeLang(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ko") {
				return "ko"
			}
			return "en"
		}
	}
	return "en"
}

// grouped writes n with its thousands grouped: 2,490,000.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
		s = s[1:]
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
