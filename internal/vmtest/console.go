package vmtest

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// parseConsole fills res's Stdout, Stderr, Dmesg and Exit from the
// marked sections /init printed on the console (see initTemplate).
func parseConsole(res *Result, marker string) error {
	text := strings.ReplaceAll(res.Console, "\r", "")
	var (
		section  string
		sections = map[string]*strings.Builder{}
		exitSeen bool
	)
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, marker+" ")
		if !ok {
			if b := sections[section]; b != nil {
				b.WriteString(line)
			}
			continue
		}
		if code, ok := strings.CutPrefix(rest, "exit "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(code))
			if err != nil {
				return fmt.Errorf("bad exit marker %q", line)
			}
			res.Exit = n
			exitSeen = true
			section = ""
			continue
		}
		section = rest
		if section != "begin" {
			sections[section] = &strings.Builder{}
		}
	}
	if !exitSeen {
		return errNoEnd
	}
	for name, dst := range map[string]*string{"stdout": &res.Stdout, "stderr": &res.Stderr, "dmesg": &res.Dmesg} {
		b := sections[name]
		if b == nil {
			return fmt.Errorf("console lacks the %s section", name)
		}
		raw, err := base64.StdEncoding.DecodeString(b.String())
		if err != nil {
			return fmt.Errorf("decoding %s: %v", name, err)
		}
		*dst = string(raw)
	}
	res.Files = map[string]string{}
	for name, b := range sections {
		p, ok := strings.CutPrefix(name, "file ")
		if !ok {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(b.String())
		if err != nil {
			return fmt.Errorf("decoding %s: %v", p, err)
		}
		res.Files[p] = string(raw)
	}
	return nil
}
