// Package api holds the Echo server interface and the types generated from
// ../openapi.yaml. Do not edit api.gen.go by hand: change openapi.yaml and run
// `go generate ./api` (or `make generate`).
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../openapi.yaml
