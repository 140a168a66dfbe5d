// Package adapter turns what a customer-service platform appends to the
// sidebar URL into one normalized Claims: the channel and the visitor's id on
// it, the agent, the UI language and any extra params. One file per platform.
//
// Adapters only decode and verify; they never touch the database, so a
// request they refuse cannot have written anything.
package adapter

import (
	"github.com/crmlens/crmlens/internal/apperr"
)

// Limits on what a platform may send, checked before any decryption.
const (
	MaxParams     = 64
	MaxParamName  = 64
	MaxParamValue = 4096
)

// Agent is who is looking, as far as the platform says.
type Agent struct {
	ID     string // Easemob agentId
	Email  string
	Name   string
	UserID string // Easemob userId (system customer id)
}

// Label names the agent for audit lines: the id, else the email, else the name.
func (a Agent) Label() string {
	switch {
	case a.ID != "":
		return a.ID
	case a.Email != "":
		return a.Email
	default:
		return a.Name
	}
}

// Claims is the normalized context every adapter produces.
type Claims struct {
	// Channel is where the visitor writes from: easemob (app/web IM), wechat...
	Channel string
	// VisitorID is the visitor's id on Channel.
	VisitorID string
	// Scope qualifies VisitorID where the platform scopes it (the WeChat
	// official account's original id for an openid); empty otherwise.
	Scope    string
	TenantID string
	Agent    Agent
	// Lang is "zh" or "en" when the platform said so, else empty.
	Lang string
	// Extra holds every other param, decrypted: nickname, trueName, and what
	// the app pushed with updateVisitorInfoSrc.
	Extra map[string]string
}

// Error codes adapters return.
const (
	CodeMissingParam  = "missing_param"
	CodeInvalidParam  = "invalid_param"
	CodeDecryptFailed = "decrypt_failed"
	CodeTooLarge      = "params_too_large"
)

// errDecrypt is the one answer for every failure found after decryption, so
// that no caller can tell bad padding from a plaintext that does not parse.
func errDecrypt() *apperr.Error {
	return apperr.New(apperr.Invalid, CodeDecryptFailed,
		"the parameters could not be decrypted with this integration's key; check that the key set in the platform matches crmlens")
}

// checkSize refuses oversized params before any work is done on them.
func checkSize(params map[string]string) error {
	if len(params) > MaxParams {
		return apperr.New(apperr.TooLarge, CodeTooLarge, "too many parameters (%d, at most %d)", len(params), MaxParams)
	}
	for k, v := range params {
		if len(k) > MaxParamName {
			return apperr.New(apperr.TooLarge, CodeTooLarge, "a parameter name is longer than %d characters", MaxParamName)
		}
		if len(v) > MaxParamValue {
			return apperr.New(apperr.TooLarge, CodeTooLarge, "parameter %s is longer than %d characters", k, MaxParamValue)
		}
	}
	return nil
}
