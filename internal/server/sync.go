package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crmlens/crmlens/api"
	"github.com/crmlens/crmlens/internal/apperr"
	"github.com/crmlens/crmlens/internal/audit"
	"github.com/crmlens/crmlens/internal/importer"
)

// The sync API (docs/sync.md): a CRM pushes its records with a service
// token. Authentication is validate.go's serviceToken scheme; the writes,
// their checks and their audit events are the importer's (Sync, Delete).

// syncOperations are the operationIds of the sync routes: their bodies are
// not validated against the spec (validate.go) and may be up to
// importer.MaxSyncBytes.
var syncOperations = map[string]bool{"syncRecords": true, "deleteSyncRecord": true}

// syncPathPrefix starts the sync routes' patterns.
const syncPathPrefix = "/api/v1/sync/"

// isSyncRoute says c's route is a sync route: the server's MaxBodyBytes
// does not apply to it (syncBodyLimit does).
func isSyncRoute(c echo.Context) bool { return strings.HasPrefix(c.Path(), syncPathPrefix) }

// syncBodyLimit bounds a sync route's body at importer.MaxSyncBytes: a
// Content-Length over it is refused before anything is read (413
// sync_too_large, like the importer's own answer); a chunked body is cut
// at MaxSyncBytes+1 bytes, the importer reading one byte past its limit to
// answer sync_too_large.
func syncBodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isSyncRoute(c) {
			return next(c)
		}
		if c.Request().ContentLength > importer.MaxSyncBytes {
			return apperr.New(apperr.TooLarge, importer.CodeSyncTooLarge,
				"nothing was written: the body is over %d bytes (%d MiB); send the records in several requests", importer.MaxSyncBytes, importer.MaxSyncBytes>>20)
		}
		if c.Request().Body != nil {
			c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, importer.MaxSyncBytes+1)
		}
		return next(c)
	}
}

// SyncRecords upserts the records of the body (NDJSON or a JSON array).
func (s *Server) SyncRecords(c echo.Context, object api.SyncObject) error {
	tok := serviceTokenFrom(c)
	format, err := importer.SyncFormat(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return err
	}
	res, err := s.importer.Sync(c.Request().Context(), string(object), c.Request().Body, format,
		audit.Event{Actor: tok.Actor(), RequestID: requestID(c)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.SyncResult{
		Object: res.Object, Records: res.Records, Created: res.Created, Updated: res.Updated,
		Unchanged: res.Unchanged, Skipped: res.Skipped, Identities: res.Identities,
	})
}

// DeleteSyncRecord removes one record by its external_id.
func (s *Server) DeleteSyncRecord(c echo.Context, object api.SyncObject, externalID string) error {
	tok := serviceTokenFrom(c)
	err := s.importer.Delete(c.Request().Context(), string(object), externalID,
		audit.Event{Actor: tok.Actor(), RequestID: requestID(c)})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
