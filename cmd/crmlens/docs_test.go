package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shellBlock is one ```sh block of a Markdown file.
type shellBlock struct {
	file string
	line int // of the opening fence
	text string
}

// shellBlocks returns the sh, bash and shell blocks of a Markdown text.
func shellBlocks(file, text string) []shellBlock {
	var out []shellBlock
	var cur *shellBlock
	var body []string
	for i, l := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			lang := strings.Fields(strings.TrimPrefix(trimmed, "```") + " ")
			if len(lang) > 0 && (lang[0] == "sh" || lang[0] == "bash" || lang[0] == "shell" || lang[0] == "console") {
				cur, body = &shellBlock{file: file, line: i + 1}, nil
			} else {
				// Another fenced block: skip to its end.
				cur = &shellBlock{file: "", line: i + 1}
			}
		case cur != nil && trimmed == "```":
			if cur.file != "" {
				cur.text = strings.Join(body, "\n") + "\n"
				out = append(out, *cur)
			}
			cur = nil
		case cur != nil:
			body = append(body, l)
		}
	}
	return out
}

// brokenContinuation finds a line continuation that does not continue:
// "\" followed by spaces (and a comment, which ends the command there), or
// a continued line followed by a comment or a blank line.
var brokenContinuation = regexp.MustCompile(`\\[ \t]+(#.*)?$`)

func continuationProblems(text string) []string {
	var out []string
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if brokenContinuation.MatchString(l) {
			out = append(out, fmt.Sprintf("line %d: a space or comment after the line continuation ends the command there: %q", i+1, l))
			continue
		}
		if strings.HasSuffix(l, "\\") && i+1 < len(lines) {
			next := strings.TrimSpace(lines[i+1])
			if next == "" || strings.HasPrefix(next, "#") {
				out = append(out, fmt.Sprintf("line %d: continued into a blank or comment line: %q", i+1, l))
			}
		}
	}
	return out
}

// Bug: the README's Easemob hardening block ended each line in
// "\   # comment", so bash ran --tenant-id as a command. Every shell block in
// README.md and docs/ must run as pasted.
func TestDocsShellBlocksRunAsPasted(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"../../README.md"}, files...)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range shellBlocks(filepath.Base(f), string(b)) {
			n++
			where := fmt.Sprintf("%s:%d", blk.file, blk.line)
			for _, p := range continuationProblems(blk.text) {
				t.Errorf("%s: %s", where, p)
			}
			cmd := exec.Command(bash, "-n")
			cmd.Stdin = strings.NewReader(blk.text)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("%s: bash -n: %v %s\n%s", where, err, stderr.String(), blk.text)
			}
		}
	}
	if n == 0 {
		t.Fatal("no shell block found")
	}
}

func TestContinuationProblemsFindsTheOldHardeningBlock(t *testing.T) {
	old := "./bin/crmlens integration update --slug acme-kefu \\   # the integration\n  --tenant-id 12345       # your tenant\n"
	if len(continuationProblems(old)) == 0 {
		t.Error("the comment after a continuation was not found")
	}
	if p := continuationProblems("a \\\n  b\n"); len(p) != 0 {
		t.Errorf("a good continuation: %v", p)
	}
	blocks := shellBlocks("x.md", "text\n```sh\necho hi\n```\n```yaml\na: b\n```\n```\nplain\n```\n")
	if len(blocks) != 1 || blocks[0].text != "echo hi\n" {
		t.Errorf("blocks = %+v", blocks)
	}
}
