package agreement

import "strconv"

// Parse reads an agreement from YAML and checks it. The error, if any, is
// an *accord.Error with code EINVALID whose cause is a *ParseError listing
// every error-severity problem with its line and column. Warnings do not
// stop parsing; Lint reports them.
func Parse(src []byte) (*Agreement, error) {
	a, diags := decode(src)
	if errs := errorsOnly(diags); len(errs) > 0 {
		return nil, invalid(errs)
	}
	if errs := errorsOnly(Validate(a)); len(errs) > 0 {
		return nil, invalid(errs)
	}
	return a, nil
}

// num formats a number for people: always with a decimal point, so that a
// budget reads "1.0" rather than "1".
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	for _, c := range s {
		if c == '.' {
			return s
		}
	}
	return s + ".0"
}
