// Package parser turns bpftrace source text into a lang/ast tree.
//
// # Design
//
// Two techniques, each where it fits:
//
// The C preamble (struct, union and enum definitions, typedefs: cdecl.go)
// is a plain context-free grammar, so it is written declaratively as
// participle v2 grammar structs (cgrammar.go), lowered to lang/ast by
// clower.go. participle reads the hand-written lexer's tokens through a
// small lexer.Definition adapter (clexer.go), so positions are the same
// byte offsets, and lexing the declaration costs no more than elsewhere.
// The adapter hands over only one declaration (up to its closing ';' or
// '}'), never the rest of the script. The grammar is built on first use
// (sync.Once), so scripts without C definitions do not pay for it; with
// one, the first parse takes under 1 ms including the build. The grammar
// is LL(1) with no backtracking (UseLookahead(0)), so an error is reported
// where it is; participle's "expected" EBNF is turned into a bison-style
// "expecting A or B" (cerrors.go). Enumerator values are bpftrace
// expressions: the grammar only sets their tokens aside, and the
// hand-written expression parser reads them.
//
// Everything else is hand-written: a byte-level lexer (lexer.go) feeding a
// recursive-descent parser with precedence climbing for binary operators
// (expr.go). bpftrace's own syntax is context-sensitive in three places
// that a participle grammar handles badly:
//
//   - attach points are raw text ("uprobe:/bin/bash:readline", "k:tcp_*",
//     "u:lib:\"fn(char const*)\"") where '/', '*', '{' and ',' mean something
//     different than in expressions, so they are scanned as one raw token
//     (attach.go), as bpftrace itself does;
//   - a '/' inside a predicate ends it when the next thing is '{' or '/'
//     (bpftrace's ENDPRED rule);
//   - casts "(type)e" versus parenthesised expressions, records
//     "(a=1)" and tuples need a token or two of lookahead.
//
// participle's lexer would have to be reset on every such switch, and its
// errors would need the same rewording the C part does, for a far larger
// grammar. The hand-written path is also what keeps a 1,000-line script
// well under the 5 ms budget (see BenchmarkParse1000Lines); participle's
// reflection-driven parse is some forty times slower per byte (about 10 ms
// for 1,000 lines of C definitions), fine for the few definitions a script
// has but not for whole scripts. Like starlark-go
// and bpftrace's newest recursive-descent parser, binary expressions are
// parsed flat (operand (op operand)*) and folded with a precedence table.
//
// # Tree conventions
//
// A few constructs have no node of their own in lang/ast:
//
//   - "_ = e" (discard) is an AssignStmt whose Target is the Ident "_";
//   - the expression "if c { ...; a } else { ...; b }" is a Ternary whose
//     arms are BlockExprs ("if" at the start of a statement is an IfStmt);
//   - "@m[a, b]" keeps its keys in MapAccess.Keys; "@m[(a, b)]" has one
//     Tuple key;
//   - a named record defined inside another with a pointer or array
//     declarator ("struct B { ... } *b;") is declared at top level before
//     the enclosing record, as C scopes it, and the field refers to it;
//   - "typedef struct [tag] { ... } name;" likewise declares the record
//     before the CTypedef, which refers to it; an anonymous record takes
//     the typedef's name as its tag;
//   - char literals are IntLits (Raw "'a'"); duration literals are IntLits
//     in nanoseconds (Raw "10ms");
//   - "sizeof(name)" and "offsetof(expr, f)" with a bare name keep it as
//     an Ident expression (sizeof) or a TypeExpr (offsetof); whether the name
//     is a typedef is for the checker to say. "(name)x" is a Cast, but
//     "(name) - x" (also '+', '*', '&') is a Binary unless name ends in "_t";
//   - an attach point's "name=" prefix goes to Probe.Label; Parts splits at
//     every unquoted ':' (so C++ "A::f" unquoted gives empty parts, which a
//     provider rejoins).
//
// Errors never panic: every problem becomes a positioned diag.Diagnostic, and
// after a syntax error the parser skips to the end of the current top-level
// item (for a C declaration, its closing ';' or '}') and goes on, so
// independent errors are all reported.
package parser
