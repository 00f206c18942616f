package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestJSONOutputParses runs a program that produces every kind of message
// with -f json and parses each line back.
func TestJSONOutputParses(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("kernel test: needs root, not -short")
	}
	bin := binary(t)
	prog := `begin {
		printf("p %d %s\n", 1, "two");
		time("%Y\n");
		cat("/etc/hostname");
		print(5);
		print((1, "x"));
		@m[1] = 10; @m[2] = 20;
		print(@m);
		@c = count(); @s = sum(3); @a = avg(4); @st = stats(5);
		@h = hist(7); @l = lhist(3, 0, 10, 2);
		@str["k"] = "v";
		exit();
	}`
	out, err := exec.Command(bin, "-f", "json", "-e", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var msg struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			t.Errorf("not JSON: %q: %v", line, err)
			continue
		}
		seen[msg.Type]++
	}
	for _, typ := range []string{"attached_probes", "printf", "time", "cat", "value", "map", "hist", "stats"} {
		if seen[typ] == 0 {
			t.Errorf("no %q message; saw %v\n%s", typ, seen, out)
		}
	}
}
