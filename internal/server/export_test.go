package server

// ServerErrorCodes are the codes this package answers without an
// apperr.New of its own: Echo's and net/http's errors (echoCodes), the
// spec violations (specCodes and their fallbacks) and internal errors.
func ServerErrorCodes() []string {
	out := []string{"invalid_request", "invalid_json", "internal"}
	for _, c := range echoCodes {
		out = append(out, c.code)
	}
	for _, c := range specCodes {
		out = append(out, c)
	}
	return out
}
