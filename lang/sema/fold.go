package sema

// foldInt evaluates a binary operator on two signed 64-bit constants.
func foldInt(op string, a, b int64) (int64, bool) {
	bit := func(x bool) int64 {
		if x {
			return 1
		}
		return 0
	}
	switch op {
	case "+":
		return a + b, true
	case "-":
		return a - b, true
	case "*":
		return a * b, true
	case "/":
		if b == 0 {
			return 0, false
		}
		return a / b, true
	case "%":
		if b == 0 {
			return 0, false
		}
		return a % b, true
	case "&":
		return a & b, true
	case "|":
		return a | b, true
	case "^":
		return a ^ b, true
	case "<<":
		return a << uint64(b&63), true
	case ">>":
		return a >> uint64(b&63), true
	case "==":
		return bit(a == b), true
	case "!=":
		return bit(a != b), true
	case "<":
		return bit(a < b), true
	case "<=":
		return bit(a <= b), true
	case ">":
		return bit(a > b), true
	case ">=":
		return bit(a >= b), true
	case "&&":
		return bit(a != 0 && b != 0), true
	case "||":
		return bit(a != 0 || b != 0), true
	}
	return 0, false
}
