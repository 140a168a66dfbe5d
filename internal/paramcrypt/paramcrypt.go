// Package paramcrypt implements the parameter ciphers customer-service
// platforms use when they hand data to a CRM page, byte for byte as their
// Java samples do:
//
//   - DES (Easemob Kefu): key = the first 8 bytes of the UTF-8 key string
//     (Java's DESKeySpec), ECB, PKCS5 padding, lowercase hex.
//   - AES (ShareCRM identity verification): key = base64-decoded admin key of
//     16, 24 or 32 bytes, ECB, PKCS5 padding, uppercase hex.
//
// ECB is what the platforms use, not a choice of ours: identical plaintexts
// give identical ciphertexts, so these ciphers hide values but do not stop
// replay. Decoding accepts hex in either case and, for robustness against URL
// handling, base64 (standard or URL alphabet) where a '+' may have become a
// space.
//
// Errors distinguish only structural faults the caller can see without the key
// (ErrEncoding, ErrBlockSize, ErrTooLong). Everything discovered after
// decryption (bad padding) is ErrDecrypt, with no detail, so that callers
// cannot be turned into a padding oracle.
package paramcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// MaxCiphertextLen bounds an encoded ciphertext (in characters); longer input
// is refused before any decoding work.
const MaxCiphertextLen = 8192

var (
	// ErrEncoding: the text is neither hex nor base64.
	ErrEncoding = errors.New("ciphertext is not hex or base64")
	// ErrBlockSize: the decoded bytes are not a whole, non-zero number of blocks.
	ErrBlockSize = errors.New("ciphertext is not a whole number of cipher blocks")
	// ErrTooLong: the text is longer than MaxCiphertextLen.
	ErrTooLong = errors.New("ciphertext is too long")
	// ErrDecrypt: decryption did not yield valid padding. Deliberately vague.
	ErrDecrypt = errors.New("ciphertext does not decrypt with this key")
	// ErrKey: the key is unusable for the scheme.
	ErrKey = errors.New("invalid key")
)

// Cipher encrypts and decrypts parameter values of one scheme and key.
type Cipher struct {
	block  cipher.Block
	upper  bool
	scheme string
}

// Scheme names.
const (
	SchemeDES = "des"
	SchemeAES = "aes"
)

// MinDESKeyLen is the shortest key Easemob accepts ("长度大于8位"): more than
// eight characters.
const MinDESKeyLen = 9

// NewDES returns Easemob's cipher for key. Java's DESKeySpec uses the first 8
// bytes of the key's UTF-8 encoding; a key of 8 bytes or fewer is refused
// because the platform itself requires a longer one.
func NewDES(key string) (*Cipher, error) {
	kb := []byte(key)
	if len([]rune(key)) < MinDESKeyLen || len(kb) < 8 {
		return nil, fmt.Errorf("%w: a DES key must be longer than 8 characters (Easemob requires it)", ErrKey)
	}
	block, err := des.NewCipher(kb[:8])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	return &Cipher{block: block, scheme: SchemeDES}, nil
}

// NewAES returns ShareCRM's cipher for a base64 key of 16, 24 or 32 bytes.
func NewAES(base64Key string) (*Cipher, error) {
	kb, err := decodeBase64(strings.TrimSpace(base64Key))
	if err != nil {
		return nil, fmt.Errorf("%w: an AES key must be base64", ErrKey)
	}
	switch len(kb) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("%w: an AES key must decode to 16, 24 or 32 bytes, not %d", ErrKey, len(kb))
	}
	block, err := aes.NewCipher(kb)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	return &Cipher{block: block, upper: true, scheme: SchemeAES}, nil
}

// New returns the cipher of scheme ("des" or "aes") for key.
func New(scheme, key string) (*Cipher, error) {
	switch strings.ToLower(scheme) {
	case SchemeDES:
		return NewDES(key)
	case SchemeAES:
		return NewAES(key)
	default:
		return nil, fmt.Errorf("unknown scheme %q: use des or aes", scheme)
	}
}

// Encrypt returns the hex ciphertext of plaintext: lowercase for DES,
// uppercase for AES, as the platforms produce them.
func (c *Cipher) Encrypt(plaintext string) string {
	bs := c.block.BlockSize()
	pad := bs - len(plaintext)%bs
	buf := make([]byte, len(plaintext)+pad)
	copy(buf, plaintext)
	for i := len(plaintext); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	for i := 0; i < len(buf); i += bs {
		c.block.Encrypt(buf[i:i+bs], buf[i:i+bs])
	}
	out := hex.EncodeToString(buf)
	if c.upper {
		out = strings.ToUpper(out)
	}
	return out
}

// Decrypt decodes text (hex in either case, or base64) and decrypts it.
func (c *Cipher) Decrypt(text string) (string, error) {
	raw, err := Decode(text)
	if err != nil {
		return "", err
	}
	bs := c.block.BlockSize()
	if len(raw) == 0 || len(raw)%bs != 0 {
		return "", ErrBlockSize
	}
	out := make([]byte, len(raw))
	for i := 0; i < len(raw); i += bs {
		c.block.Decrypt(out[i:i+bs], raw[i:i+bs])
	}
	// Check the padding without early exits that depend on its bytes.
	pad := int(out[len(out)-1])
	bad := 0
	if pad == 0 || pad > bs {
		bad = 1
		pad = 1
	}
	for i := len(out) - pad; i < len(out); i++ {
		if int(out[i]) != pad {
			bad |= 1
		}
	}
	if bad != 0 {
		return "", ErrDecrypt
	}
	return string(out[:len(out)-pad]), nil
}

// Decode turns a transported ciphertext into bytes: hex (either case) first,
// then base64 with '+' restored where a query string turned it into ' '.
func Decode(text string) ([]byte, error) {
	if len(text) > MaxCiphertextLen {
		return nil, ErrTooLong
	}
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, ErrEncoding
	}
	if isHex(t) {
		if len(t)%2 != 0 {
			return nil, ErrBlockSize
		}
		b, err := hex.DecodeString(t)
		if err != nil {
			return nil, ErrEncoding
		}
		return b, nil
	}
	b, err := decodeBase64(strings.ReplaceAll(t, " ", "+"))
	if err != nil {
		return nil, ErrEncoding
	}
	return b, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, ErrEncoding
}
