package matchkey

// SlowPhone is libphonenumber's own answer, for tests of the fast path.
var SlowPhone = slowPhone
