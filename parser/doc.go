// Package parser turns bpftrace source text into a lang/ast tree.
//
// # Design
//
// The parser is hand-written: a byte-level lexer (lexer.go) feeding a
// recursive-descent parser with precedence climbing for binary operators
// (expr.go). participle v2 was the planned skeleton, but bpftrace's syntax is
// context-sensitive in three places that a participle grammar handles badly:
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
// error messages cannot be made to read like bpftrace's bison ones
// ("syntax error, unexpected X, expecting Y"). The hand-written lexer is also
// what keeps a 1,000-line script well under the 5 ms budget (see
// BenchmarkParse1000Lines). Like starlark-go and bpftrace's newest
// recursive-descent parser, binary expressions are parsed flat
// (operand (op operand)*) and folded with a precedence table.
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
// item and goes on, so independent errors are all reported.
package parser
