package adapter

// Exported forms of the checks every adapter makes, for the adapters that
// live in their own packages (internal/adapter/udesk, internal/adapter/sobot).

// CheckSize refuses params over MaxParams, MaxParamName or MaxParamValue with
// a params_too_large *apperr.Error that names the param, never its value.
func CheckSize(params map[string]string) error { return checkSize(params) }

// CheckVisitorID refuses a visitor id longer than MaxVisitorID characters;
// param names where it came from in the message.
func CheckVisitorID(id, param string) error { return checkVisitorID(id, param) }

// KeyName names keys[i] in a message without showing it: "the current key",
// "the previous key", "key number 3"...
func KeyName(i int) string { return keyName(i) }

// NonEmptyKeys returns keys without the empty ones, each with its position
// in keys for KeyName.
func NonEmptyKeys(keys []string) (out []string, pos []int) { return nonEmptyKeys(keys) }

// ValidFieldName reports whether name can be a param or claim field name: 1
// to MaxParamName printable characters without white space or '='.
func ValidFieldName(name string) bool { return validFieldName(name) }

// IsDigits reports whether s is 1 to max ASCII digits.
func IsDigits(s string, max int) bool { return isDigits(s, max) }
