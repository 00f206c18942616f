package codegen_test

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/sema"
)

// beginCases run a BEGIN program in the kernel and compare what it printed.
var beginCases = []struct {
	name, src, want string
}{
	{"hello", `BEGIN { printf("hi\n"); exit(); }`, "hi\nexit(0)\n"},
	{"ints", `BEGIN { printf("%d %d %u\n", 1, -2, 3); }`, "1 -2 3\n"},
	{"string", `BEGIN { printf("%s|%s\n", "abc", "a longer string"); }`, "abc|a longer string\n"},
	{"exit code", `BEGIN { exit(3); printf("not reached\n"); }`, "exit(3)\n"},
	{"vars", `BEGIN { $a = 5; $b = $a * 3; $a = $a + 1; printf("%d %d\n", $a, $b); }`, "6 15\n"},
	{"string var", `BEGIN { $s = "hello"; $t = $s; printf("%s %s\n", $s, $t); }`, "hello hello\n"},
	{"arith", `BEGIN { printf("%d %d %d %d %d\n", 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7 % -3); }`, "3 -3 1 -1 1\n"},
	{"unsigned", `BEGIN { $x = (uint64)-1; printf("%lu %d\n", $x / 2, (int8)300); }`, "9223372036854775807 44\n"},
	{"shifts", `BEGIN { printf("%d %d %d\n", 1 << 10, -16 >> 2, 0xff & 0x0f | 0x30); }`, "1024 -4 63\n"},
	{"compare", `BEGIN { printf("%d %d %d %d\n", 1 < 2, 2 < 1, -1 < 0, 3 == 3); }`, "1 0 1 1\n"},
	{"logic", `BEGIN { $z = 0; printf("%d %d %d %d\n", 1 && 2, 1 && $z, $z || 3, !$z); }`, "1 0 1 1\n"},
	{"ternary", `BEGIN { $x = 4; printf("%d %s\n", $x > 3 ? 10 : 20, $x < 3 ? "lt" : "ge"); }`, "10 ge\n"},
	{"if else", `BEGIN { $x = 2; if ($x == 1) { printf("one\n"); } else if ($x == 2) { printf("two\n"); } else { printf("many\n"); } }`, "two\n"},
	{"map plain", `BEGIN { @a = 5; @b["x"] = 7; printf("%d %d %d\n", @a, @b["x"], @b["y"]); }`, "5 7 0\n"},
	{"map incr", `BEGIN { @a++; @a++; @a += 10; @b[1, "k"]++; @b[1, "k"] += 2; printf("%d %d\n", @a, @b[1, "k"]); }`, "12 3\n"},
	{"map value incdec", `BEGIN { @a = 5; $x = @a++; $y = ++@a; printf("%d %d %d\n", $x, $y, @a); }`, "5 7 7\n"},
	{"var incdec", `BEGIN { $a = 5; $a++; $a -= 2; $b = $a--; printf("%d %d\n", $a, $b); }`, "3 4\n"},
	{"string map", `BEGIN { @s[1] = "one"; @s[2] = "two"; printf("%s %s.\n", @s[1], @s[3]); }`, "one .\n"},
	{"str compare", `BEGIN { $a = "abc"; $b = "abd"; printf("%d %d %d %d\n", $a == "abc", $a == $b, $a != "x", "q" == "q"); }`, "1 0 1 1\n"},
	{"tuple", `BEGIN { $t = (1, "two", 3); printf("%d %s %d\n", $t.0, $t.1, $t.2); }`, "1 two 3\n"},
	{"while", `BEGIN { $i = 0; $s = 0; while ($i < 10) { $s += $i; $i++; } printf("%d\n", $s); }`, "45\n"},
	{"for range", `BEGIN { $s = 0; for ($i : 0..5) { if ($i == 3) { continue; } $s += $i; } printf("%d\n", $s); }`, "7\n"},
	{"unroll", `BEGIN { $i = 1; unroll(4) { $i = $i * 2; } unroll(1 + 1) { $i++; } printf("%d\n", $i); }`, "18\n"},
	{"delete has_key", `BEGIN { @m[1] = 1; @m[2] = 2; delete(@m[1]); printf("%d %d\n", has_key(@m, 1), has_key(@m, 2)); }`, "0 1\n"},
	{"pid comm", `BEGIN { if (pid > 0 && comm != "") { printf("ok\n"); } }`, "ok\n"},
	{"strncmp", `BEGIN { printf("%d %d\n", strncmp("hello", "help", 3), strncmp("hello", "help", 4)); }`, "0 1\n"},
	{"getopt", `BEGIN { printf("%d %s %d %d %s\n", getopt("n", 5), getopt("s", "def"), getopt("flag"), getopt("b", true), getopt("t", "x")); }`, "7 def 1 1 given\n"},
	{"elapsed", `BEGIN { printf("%d\n", elapsed < 60000000000); }`, "1\n"},
	{"params", `BEGIN { printf("%d %s %d %s.\n", $1, str($2), $#, str($3)); }`, "42 hello 2 .\n"},
	{"for map", `BEGIN { @m[1] = 10; @m[2] = 20; @m[3] = 30; $s = 0; for ($kv : @m) { $s += $kv.0 * $kv.1; } printf("%d\n", $s); }`, "140\n"},
	{"for map break", `BEGIN { @m["a"] = 1; @m["b"] = 1; $n = 0; for ($kv : @m) { $n++; break; } printf("%d\n", $n); }`, "1\n"},
	{"for map exit", `BEGIN { @m[1] = 1; for ($kv : @m) { printf("in %d\n", $kv.1); exit(); } printf("after\n"); }`, "in 1\nexit(0)\n"},
	{"len", `BEGIN { @m[1] = 1; @m[2] = 2; @c["x"] = count(); @c["y"] = count(); @c["z"] = count(); printf("%d %d\n", len(@m), len(@c)); }`, "2 3\n"},
	{"offsetof", "struct foo { int a; long b; struct { int c; } in; }\nBEGIN { printf(\"%d %d %d\\n\", offsetof(struct foo, b), offsetof(struct foo, in.c), sizeof(struct foo)); }", "8 16 24\n"},
	{"lruhash", `let @m = lruhash(10); BEGIN { @m[1] = 5; printf("%d\n", @m[1]); }`, "5\n"},
	{"strcontains", `BEGIN { $s = "hello world"; printf("%d %d %d %d\n", strcontains($s, "o w"), strcontains($s, "xyz"), strcontains($s, ""), strcontains(comm, "codegen")); }`, "1 0 1 1\n"},
	{"read aggs", `BEGIN { @c = count(); @c = count(); @s = sum(5); @s = sum(-8); @mn = min(4); @mn = min(2); @mx = max(-4); @mx = max(-2); @a = avg(3); @a = avg(6); printf("%d %d %d %d %d\n", @c, @s, @mn, @mx, @a); if (@c > 1) { printf("big\n"); } }`, "2 -3 2 -2 4\n" + "big\n"},
	{"bswap", `BEGIN { printf("%x %x\n", bswap((uint32)0x11223344), bswap((uint16)0x1122)); }`, "44332211 2211\n"},
	{"record", `BEGIN { $r = (a = 1, b = "two"); @m[$r.b] = $r; printf("%d %s %d\n", $r.a, $r.b, @m["two"].a); }`, "1 two 1\n"},
	{"nested tuple", `BEGIN { $t = ((1, "x"), 2); @t[1] = $t; printf("%d %s %d\n", $t.0.0, @t[1].0.1, @t[1].1); }`, "1 x 2\n"},
	{"tuple widen", `BEGIN { @t[1] = (1, "a"); @t[2] = (2, "longer"); printf("%s %s\n", @t[1].1, @t[2].1); }`, "a longer\n"},
	{"bool map", `BEGIN { @b[1] = true; @b[2] = 1 > 2; printf("%d %d\n", @b[1], @b[2]); }`, "1 0\n"},
	{"string keys", `BEGIN { @s["a"] = 1; @s["abc"] = 2; $k = "a"; printf("%d %d\n", @s[$k], @s["abc"]); }`, "1 2\n"},
	{"neg compare", `BEGIN { $a = -5; $b = (uint64)3; printf("%d %d\n", $a < 0, $a < -3); }`, "1 1\n"},
	{"return", `BEGIN { printf("a\n"); if (1) { return; } printf("b\n"); }`, "a\n"},
	{"defines enums", "#define GREETING \"hey\"\n#define N 40\nenum color { RED, GREEN = 5, BLUE };\nBEGIN { printf(\"%s %d %d %d\\n\", GREETING, N + 2, GREEN, BLUE); }", "hey 42 5 6\n"},
	{"typeof", `BEGIN { $y = (typeof((uint8)3))257; printf("%d\n", $y); }`, "1\n"},
	{"macros", "macro one() { 1 }\nmacro add_one(x) { x + 1 }\nmacro add_each($a, @b, c) { $a += c; @b += 1; }\nmacro twice($v) { $t = $v * 2; $t }\n" +
		"BEGIN { $a = 10; $t = 5; add_each($a, @b, 2); add_each($a, @b, 3); printf(\"%d %d %d %d %d %d\\n\", one(), one, add_one(1 + 1), $a, @b, twice($a + 1) + $t); }", "1 1 3 15 2 37\n"},
	{"nested for", `BEGIN { @a[1] = 1; @a[2] = 2; @b[10] = 10; @b[20] = 20; $s = 0; for ($x : @a) { for ($y : @b) { $s += $x.1 * $y.1; } } printf("%d\n", $s); }`, "90\n"},
	{"nested for exit", `BEGIN { @a[1] = 1; @b[10] = 10; for ($x : @a) { for ($y : @b) { printf("in\n"); exit(); } printf("no\n"); } printf("no\n"); }`, "in\nexit(0)\n"},
	{"big frame with loop", `BEGIN { $v0 = 0; $v1 = 1; $v2 = 2; $v3 = 3; $v4 = 4; $v5 = 5; $v6 = 6; $v7 = 7; $v8 = 8; $v9 = 9; $v10 = 10; $v11 = 11; $v12 = 12; $v13 = 13; $v14 = 14; $v15 = 15; $v16 = 16; $v17 = 17; $v18 = 18; $v19 = 19; $v20 = 20; $v21 = 21; $v22 = 22; $v23 = 23; $v24 = 24; $v25 = 25; $v26 = 26; $v27 = 27; $v28 = 28; $v29 = 29; $v30 = 30; $v31 = 31; $v32 = 32; $v33 = 33; $v34 = 34; $v35 = 35; $v36 = 36; $v37 = 37; $v38 = 38; $v39 = 39; $v40 = 40; $v41 = 41; $v42 = 42; $v43 = 43; $v44 = 44; $v45 = 45; $v46 = 46; $v47 = 47; @m[1] = 1; $s = 0; for ($kv : @m) { $t = (1, 2, 3, 4); $s += $kv.1 + $v47 + $t.3; } printf("%d %d\n", $s, $v0 + $v1 + $v2 + $v3 + $v4 + $v5 + $v6 + $v7 + $v8 + $v9 + $v10 + $v11 + $v12 + $v13 + $v14 + $v15 + $v16 + $v17 + $v18 + $v19 + $v20 + $v21 + $v22 + $v23 + $v24 + $v25 + $v26 + $v27 + $v28 + $v29 + $v30 + $v31 + $v32 + $v33 + $v34 + $v35 + $v36 + $v37 + $v38 + $v39 + $v40 + $v41 + $v42 + $v43 + $v44 + $v45 + $v46 + $v47); }`, "52 1128\n"},
	{"ternary strings compared", `BEGIN { $x = 1; printf("%d %d %d\n", ($x ? "ab" : "abc") == comm, ($x ? "ab" : "c") == ($x ? "ab" : "d"), strcontains($x ? "xyz" : "q", "yz")); }`, "0 1 1\n"},
	{"typed let", `BEGIN { let $a: int32 = 5; let $b: uint8 = 255; $a += 2; $b++; $a++; printf("%d %d\n", $a, $b); }`, "8 0\n"},
	{"header constants", "#include <linux/socket.h>\n#define EPERM 99\nBEGIN { printf(\"%d %d %d %d %d %d\\n\", AF_INET, AF_INET6, EPERM, -EINPROGRESS, O_DSYNC, TCP_LISTEN); }", "2 10 99 -115 4096 10\n"},
	{"old script forms", "struct nd { int x; long y; };\nBEGIN { @b = @b + 1; @b = @b + 1; if (@b == 2) { $a = 10; } else if (@b == 3) { $a = 20; } else { $a = 30; } printf(\"%d %d %d %5s%\\n\", @b, $a, sizeof(nd), \"x\"); }", "2 10 16     x%\n"},
	{"numaid pid ns is_*", `BEGIN { printf("%d %d %d %d%d%d%d%d\n", numaid < 1024, pid(init) == pid, tid(curr_ns) == tid, is_str("a"), is_integer(1), is_ptr(1), is_literal(1), is_unsigned_integer(-1)); }`, "1 1 1 11010\n"},
	{"if-arm variable read after", `BEGIN { if (nsecs == 0) { $d = 5; $s = "abc"; } if (nsecs > 0) { $e = 7; } printf("%d [%s] %d\n", $d, $s, $e); }`, "0 [] 7\n"},
	{"string index", `BEGIN { $p = "/abc"; printf("%d %d %c\n", $p[0] == "/"[0], $p[1], $p[2]); }`, "1 97 b\n"},
	{"syscall_name", `BEGIN { printf("%s|%s|%s|%s\n", syscall_name(0), syscall_name(59), syscall_name(9999), syscall_name(-1)); }`, "read|execve||\n"},
	{"print bool", `BEGIN { print(true); print((true, 1)); print(1 > 2); }`, "event 13  [true]\nevent 13  [[true 1]]\nevent 13  [false]\n"},
	{"probetype pton has_cpid", `BEGIN { $a = pton("127.0.0.1"); $b = pton("::1"); printf("%s %d %d %d %d %d\n", probetype, has_cpid, $a[0], $a[3], $b[15], sizeof($b)); }`, "special 0 127 1 1 16\n"},
	{"variable widths", `BEGIN { $x = (uint8)255; $x++; $y = (uint8)250; $y += 10; $w = (uint8)1; $w = 200; $p = pid; $p = $p * 0x100000000; $q = (uint32)1; $q = 5000000000; printf("%d %d %d %d %ld\n", $x, $y, $w, $p > 0xffffffff, $q); }`, "0 4 200 1 5000000000\n"},
	{"len stack", `BEGIN { printf("%d %d %d\n", len(ustack) > 0, len(kstack) >= 0, len(ustack(2)) <= 2); }`, "1 1 1\n"},
	{"strlen", `BEGIN { $s = "hello"; printf("%d %d %d %d\n", strlen($s), strlen(""), strlen(comm) > 0, strlen(str($2))); }`, "5 0 1 5\n"},
	{"assert", `BEGIN { assert(1 == 1, "fine"); printf("a\n"); assert(pid == 0, "pid is not 0"); printf("not reached\n"); }`, "a\nevent 10  [pid is not 0]\nexit(1)\n"},
	{"find", `BEGIN { @m[2] = (1, "hello"); let $val; if (find(@m, 2, $val)) { printf("%d %s\n", $val.0, $val.1); } if (!find(@m, 3, $val)) { printf("no 3\n"); } }`, "1 hello\nno 3\n"},
	{"strcap default_str_length", `BEGIN { printf("%d %d\n", strcap("abc"), default_str_length); }`, "4 1024\n"},
	{"strstr", `BEGIN { $s = "hello world"; printf("%d %d %d %d %d\n", strstr($s, "o w"), strstr($s, "xyz"), strstr($s, ""), strstr($s, "h"), strcontains($s, "wor")); }`, "4 -1 0 0 1\n"},
	{"memcmp", `BEGIN { printf("%d %d %d %d\n", memcmp("abc", "abd", 3), memcmp("abc", "abd", 2), memcmp("abd", "abc", 3), memcmp(pton("1.2.3.4"), pton("1.2.3.5"), 4)); }`, "-1 0 1 -1\n"},
	{"printf narrow unsigned", `BEGIN { $a = (int32)-1; printf("%u %x %d %u %u %x\n", $a, $a, $a, (uint8)300, (int8)-1, (int16)-2); }`, "4294967295 ffffffff -1 44 4294967295 fffffffe\n"},
	{"deep", `BEGIN { printf("%d\n", 1 + (2 + (3 + (4 + (5 + (6 + (7 + 8))))))); }`, "36\n"},
	{"deep vars", `BEGIN { $a = 1; $b = 2; printf("%d\n", $a + ($b * ($a + ($b * ($a + ($b * ($a + $b))))))); }`, "31\n"},
}

func TestBegin(t *testing.T) {
	needRoot(t)
	for _, c := range beginCases {
		t.Run(c.name, func(t *testing.T) {
			opts := sema.Options{Params: []string{"42", "hello"}, Named: map[string]string{"n": "7", "flag": "", "t": "given"}}
			obj, _ := build(t, c.src, opts)
			l := load(t, obj)
			l.run(t, "begin")
			if got := l.output(t); got != c.want {
				t.Errorf("%s\ngot:  %q\nwant: %q", c.src, got, c.want)
			}
		})
	}
}

func TestCountMap(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { @ = count(); @ = count(); @s = sum(5); @s = sum(-2); @h = hist(10); }`, sema.Options{})
	l := load(t, obj)
	l.run(t, "begin")
	if got := l.scalar(t, "@", nil); got != 2 {
		t.Errorf("@ = %d, want 2", got)
	}
	if got := l.scalar(t, "@s", nil); got != 3 {
		t.Errorf("@s = %d, want 3", got)
	}
}

func TestProfileKstack(t *testing.T) {
	needRoot(t)
	h := realHost(t)
	for _, src := range []string{
		`profile:hz:99 { @[kstack] = count(); }`,
		`profile:hz:99 { @[ustack(perf, 5), kstack(3)] = count(); @k[ksym(0)] = count(); @u = usym(0); }`,
		`interval:ms:100 { @x = count(); printf("%d\n", nsecs(monotonic) > 0); }`,
		`software:cpu-clock:1000000 { @[cpu] = count(); }`,
		`profile:hz:99 { @[usermode] = count(); @s[stack, sym(reg("ip")), probetype, len(kstack)] = count(); }`,
		`rawtracepoint:sched_switch { @[syscall_name(arg0), strlen(comm), strstr(comm, "a")] = count(); }`,
	} {
		obj, _ := build(t, src, sema.Options{Host: h})
		load(t, obj)
		t.Logf("%3d insns  %s", insnCount(obj), src)
	}
}

func TestCurtask(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { printf("%d %d %s %s %d\n", curtask->tgid == pid, curtask->real_parent->tgid > 0, curtask->comm, pcomm, ppid == curtask->real_parent->tgid); }`,
		sema.Options{Host: realHost(t)})
	l := load(t, obj)
	l.run(t, "begin")
	got := l.output(t)
	t.Log(got)
	if got[:4] != "1 1 " {
		t.Errorf("got %q", got)
	}
}

// TestBareStructName: bpftrace reads a bare name in a cast or sizeof as the struct.
func TestBareStructName(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { $t = (task_struct *)curtask; $a = (uint64)curtask + offsetof(task_struct, tgid); printf("%d %d %d\n", $t->tgid == pid, sizeof(task_struct) == sizeof(struct task_struct), (*$a & 0xffffffff) == pid); }`,
		sema.Options{Host: realHost(t)})
	l := load(t, obj)
	l.run(t, "begin")
	if got := l.output(t); got != "1 1 1\n" {
		t.Errorf("got %q", got)
	}
}

func TestKfuncExist(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `BEGIN { printf("%d %d\n", kfunc_exist("bpf_obj_new_impl"), kfunc_exist("no_such_kfunc")); }`, sema.Options{Host: realHost(t)})
	l := load(t, obj)
	l.run(t, "begin")
	if got := l.output(t); got != "1 0\n" {
		t.Errorf("got %q", got)
	}
}

func TestRawTracepoint(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `rawtracepoint:sys_enter { @[arg1] = count(); @f[probe] = count(); }`, sema.Options{Host: realHost(t)})
	load(t, obj)
	t.Logf("%d insns", insnCount(obj))
}

func TestArgsWhole(t *testing.T) {
	needRoot(t)
	obj, _ := build(t, `tracepoint:syscalls:sys_enter_read { print(args); @a[args.fd] = count(); }`, sema.Options{Host: realHost(t)})
	load(t, obj)
}
