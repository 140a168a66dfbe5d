// Package model holds crmlens's GORM models: the CRM records (accounts,
// contacts and their channel identities, leads, tickets, orders), who talks
// (visitors, agents), how platforms connect (integrations, signing keys), what
// agents see (layouts) and what happened (audit events).
//
// The schema itself lives in versioned SQL migrations (internal/database);
// a test checks that every model here matches the migrated tables on SQLite
// and MariaDB. Times are stored in UTC.
package model

import "time"

// Account is a company or household that contacts belong to.
type Account struct {
	ID         int64  `gorm:"primaryKey"`
	ExternalID string `gorm:"size:128;not null"`
	Name       string `gorm:"size:255;not null"`
	Industry   string `gorm:"size:128;not null"`
	Tier       string `gorm:"size:32;not null"`
	Owner      string `gorm:"size:128;not null"`
	// Custom holds the values of admin-defined fields as a JSON object.
	Custom    *string   `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Contact is a person in the CRM.
type Contact struct {
	ID         int64  `gorm:"primaryKey"`
	ExternalID string `gorm:"size:128;not null"`
	AccountID  *int64
	Name       string `gorm:"size:255;not null"`
	Phone      string `gorm:"size:64;not null"`
	Email      string `gorm:"size:255;not null"`
	// PhoneMatch and EmailMatch are Phone and Email as matching and search
	// compare them (internal/matchkey: E.164, lower case); every write path
	// sets them with the values.
	PhoneMatch string `gorm:"size:64;not null"`
	EmailMatch string `gorm:"size:255;not null"`
	Title      string `gorm:"size:128;not null"`
	Owner      string `gorm:"size:128;not null"`
	// Custom holds the values of admin-defined fields as a JSON object.
	Custom    *string   `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// ContactIdentity says that a contact is ExternalID on Channel, e.g. channel
// "easemob" with the visitorImId, or "wechat" with an openid. A (channel,
// external id) pair belongs to one contact at most.
type ContactIdentity struct {
	ID         int64     `gorm:"primaryKey"`
	ContactID  int64     `gorm:"not null"`
	Channel    string    `gorm:"size:32;not null"`
	ExternalID string    `gorm:"size:191;not null"`
	CreatedAt  time.Time `gorm:"not null"`
}

// Lead is a sales opportunity attached to a contact.
type Lead struct {
	ID         int64  `gorm:"primaryKey"`
	ExternalID string `gorm:"size:128;not null"`
	ContactID  *int64
	Title      string `gorm:"size:255;not null"`
	Status     string `gorm:"size:32;not null"`
	Source     string `gorm:"size:64;not null"`
	// Custom holds the values of admin-defined fields as a JSON object.
	Custom    *string   `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Ticket is a support case of a contact.
type Ticket struct {
	ID         int64  `gorm:"primaryKey"`
	ExternalID string `gorm:"size:128;not null"`
	ContactID  *int64
	Subject    string `gorm:"size:255;not null"`
	Status     string `gorm:"size:32;not null"`
	Priority   string `gorm:"size:16;not null"`
	// Custom holds the values of admin-defined fields as a JSON object.
	Custom    *string   `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Order is a purchase of a contact. Amounts are kept in minor units of
// Currency (cents, fen; yen have none) so both databases store them exactly.
type Order struct {
	ID          int64  `gorm:"primaryKey"`
	ExternalID  string `gorm:"size:128;not null"`
	ContactID   *int64
	OrderNo     string    `gorm:"size:64;not null"`
	AmountMinor int64     `gorm:"not null"`
	Currency    string    `gorm:"size:3;not null"`
	Status      string    `gorm:"size:32;not null"`
	PlacedAt    time.Time `gorm:"not null"`
	// Custom holds the values of admin-defined fields as a JSON object.
	Custom    *string   `gorm:"type:text"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Visitor is someone writing through an integration, known by the platform's
// id for them on a channel. ContactID is the contact the visitor is linked to,
// LinkMethod how that link was made.
type Visitor struct {
	ID            int64  `gorm:"primaryKey"`
	IntegrationID int64  `gorm:"not null"`
	Channel       string `gorm:"size:32;not null"`
	ExternalID    string `gorm:"size:191;not null"`
	ContactID     *int64
	LinkMethod    string `gorm:"size:32;not null"`
	// DisplayName is how the platform named the visitor, if it did.
	DisplayName string `gorm:"size:255;not null"`
	// Claims is a JSON object of the verified fields that identify the
	// visitor (ShareCRM identity verification), "{}" otherwise.
	Claims     string    `gorm:"size:2000;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
}

// Agent is a platform's customer-service agent as crmlens has seen or been told.
type Agent struct {
	ID         int64  `gorm:"primaryKey"`
	Platform   string `gorm:"size:16;not null"`
	PlatformID string `gorm:"size:191;not null"`
	Email      string `gorm:"size:255;not null"`
	Name       string `gorm:"size:255;not null"`
	// Origin is AgentImported for agents an admin declared, AgentSeen for
	// agents crmlens first met on a session.
	Origin     string    `gorm:"size:16;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
	LastSeenAt *time.Time
}

// Agent origins.
const (
	AgentImported = "import"
	AgentSeen     = "seen"
)

// Integration kinds: one per platform registered in internal/platforms
// (each platform package's Kind; a test holds them equal).
const (
	KindEasemob  = "easemob"
	KindShareCRM = "sharecrm"
	KindChatwoot = "chatwoot"
	KindSigned   = "signed"
	KindUdesk    = "udesk"
	KindSobot    = "sobot"
)

// Integration connects one platform (or one tenant of it) to crmlens.
// Key is the shared secret the platform encrypts or signs with, sealed under
// the master key (internal/keyring); empty when the platform sends params in
// clear. PreviousKey, also sealed, stays valid until PreviousKeyExpiresAt
// after a rotation. APIToken (sealed) lets crmlens ask the platform's API.
// Origins is a JSON array of the origins allowed to frame the sidebar;
// Options a JSON object of the kind's settings.
type Integration struct {
	ID                   int64  `gorm:"primaryKey"`
	Slug                 string `gorm:"size:64;not null"`
	Kind                 string `gorm:"size:16;not null"`
	Name                 string `gorm:"size:255;not null"`
	Key                  string `gorm:"size:512;not null"`
	PreviousKey          string `gorm:"size:512;not null"`
	PreviousKeyExpiresAt *time.Time
	// DisabledAt is when an admin disabled the integration; nil: enabled.
	DisabledAt *time.Time
	APIToken   string    `gorm:"column:api_token;size:1024;not null"`
	Origins    string    `gorm:"type:text;not null"`
	Options    string    `gorm:"size:4000;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
}

// Layout is what agents in a scope see: Panels and Scope are JSON documents;
// Version increases on every change so a stale update can be refused.
type Layout struct {
	ID        int64     `gorm:"primaryKey"`
	Name      string    `gorm:"size:128;not null"`
	IsDefault bool      `gorm:"not null"`
	Scope     string    `gorm:"type:text;not null"`
	Panels    string    `gorm:"type:text;not null"`
	Version   int64     `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// AuditEvent records one access to customer data or one change by an admin.
type AuditEvent struct {
	ID            int64  `gorm:"primaryKey"`
	Action        string `gorm:"size:32;not null"`
	Actor         string `gorm:"size:255;not null"`
	IntegrationID *int64
	VisitorID     *int64
	ContactID     *int64
	RequestID     string    `gorm:"size:64;not null"`
	Detail        string    `gorm:"type:text;not null"`
	CreatedAt     time.Time `gorm:"not null"`
}

// SigningKey is an HMAC key for session tokens, named by Kid in the token
// header. Instances sharing a database share the keys.
type SigningKey struct {
	ID        int64     `gorm:"primaryKey"`
	Kid       string    `gorm:"size:32;not null"`
	Secret    []byte    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// UsedToken records a single-use token id until it expires.
type UsedToken struct {
	ID            int64     `gorm:"primaryKey"`
	IntegrationID int64     `gorm:"not null"`
	JTI           string    `gorm:"column:jti;size:128;not null"`
	ExpiresAt     time.Time `gorm:"not null"`
}

// Admin is a person who manages crmlens in the admin console.
type Admin struct {
	ID           int64     `gorm:"primaryKey"`
	Email        string    `gorm:"size:255;not null"`
	PasswordHash string    `gorm:"size:255;not null"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

// AgentGroup is a named set of agents a layout can be scoped to.
type AgentGroup struct {
	ID        int64     `gorm:"primaryKey"`
	Name      string    `gorm:"size:128;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// AgentGroupMember puts an agent in a group.
type AgentGroupMember struct {
	ID      int64 `gorm:"primaryKey"`
	AgentID int64 `gorm:"not null"`
	GroupID int64 `gorm:"not null"`
}

// VisitorRejection records an agent saying "not this person": ContactID is
// never matched to VisitorID automatically again.
type VisitorRejection struct {
	ID        int64     `gorm:"primaryKey"`
	VisitorID int64     `gorm:"not null"`
	ContactID int64     `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// CustomField is a field an admin added to an object (contact, account,
// leads, tickets, orders); records keep its values in their Custom JSON.
type CustomField struct {
	ID       int64  `gorm:"primaryKey"`
	Object   string `gorm:"size:16;not null"`
	FieldKey string `gorm:"column:field_key;size:64;not null"`
	LabelZH  string `gorm:"column:label_zh;size:128;not null"`
	LabelEN  string `gorm:"column:label_en;size:128;not null"`
	Type     string `gorm:"size:16;not null"`
	// Values are an enum field's allowed values, in the admin's order (nil
	// for other types).
	Values    []string  `gorm:"column:enum_values;serializer:json"`
	Retired   bool      `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// Source is a live source (internal/source): a company database crmlens
// objects are mapped onto and read at view time. Spec is the applied YAML
// without its url; URLSealed is an inline url sealed with the keyring, ""
// when the spec names url_env.
type Source struct {
	ID        int64     `gorm:"primaryKey"`
	Name      string    `gorm:"size:64;not null;uniqueIndex:uq_sources_name"`
	Spec      string    `gorm:"type:text;not null"`
	URLSealed string    `gorm:"column:url_sealed;type:text;not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// ReachableContact is a contact a sidebar session may link and read beyond
// its visitor's linked one: SessionID is the session token's id (jti), How
// ReachCandidate (offered when the session opened) or ReachSearch (returned
// by one of its searches). Rows are deleted some time after ExpiresAt.
type ReachableContact struct {
	ID        int64     `gorm:"primaryKey"`
	SessionID string    `gorm:"size:64;not null"`
	VisitorID int64     `gorm:"not null"`
	ContactID int64     `gorm:"not null"`
	How       string    `gorm:"size:16;not null"`
	ExpiresAt time.Time `gorm:"not null"`
}

// How a contact came within a session's reach.
const (
	ReachCandidate = "candidate"
	ReachSearch    = "search"
)

// ActionCounter counts an agent action (search, link, reveal) in a scope: a
// session ("session:<jti>") or an agent's day ("agent:<integration id>:<day>:
// <agent>"), shared by every instance. Rows are deleted after ExpiresAt.
type ActionCounter struct {
	ID        int64     `gorm:"primaryKey"`
	Scope     string    `gorm:"size:191;not null"`
	Action    string    `gorm:"size:32;not null"`
	N         int64     `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
}

// ServiceToken lets a machine call crmlens's service API (internal/servicetoken):
// TokenHash is the hex SHA-256 of the token, which is never stored; Scope
// says what it may do. LastUsedAt is nil until first use, RevokedAt nil
// while the token works.
type ServiceToken struct {
	ID         int64     `gorm:"primaryKey"`
	Name       string    `gorm:"size:64;not null"`
	Scope      string    `gorm:"size:16;not null"`
	TokenHash  string    `gorm:"size:64;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// All lists every model, for schema checks.
func All() []any {
	return []any{
		&Account{}, &Contact{}, &ContactIdentity{}, &Lead{}, &Ticket{}, &Order{},
		&Visitor{}, &Agent{}, &Integration{}, &Layout{}, &AuditEvent{}, &SigningKey{},
		&UsedToken{}, &Admin{}, &AgentGroup{}, &AgentGroupMember{}, &VisitorRejection{}, &CustomField{},
		&ReachableContact{}, &ActionCounter{}, &Source{}, &ServiceToken{},
	}
}
