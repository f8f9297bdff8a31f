// Package openapi embeds the OpenAPI (Swagger 2.0) spec of flashbackd's REST
// API, generated from the protos by `make proto-gen`, and serves it from the
// node's API server.
package openapi

import (
	_ "embed"
	"net/http"

	"github.com/gorilla/mux"
)

// Spec is the merged OpenAPI spec of the Flashback modules' queries.
//
//go:embed openapi.json
var Spec []byte

// uiPage renders Spec with Swagger UI. The UI's scripts load from a CDN in
// the browser; the spec itself is always served by the node.
const uiPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>flashbackd REST API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/swagger/openapi.json", dom_id: "#ui"});</script>
<noscript>The spec is at <a href="/swagger/openapi.json">/swagger/openapi.json</a>.</noscript>
</body></html>`

// RegisterRoutes serves the spec at /swagger/openapi.json (and
// /openapi.json) and a Swagger UI page at /swagger/.
func RegisterRoutes(r *mux.Router) {
	serveSpec := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(Spec)
	}
	r.HandleFunc("/openapi.json", serveSpec).Methods(http.MethodGet)
	r.HandleFunc("/swagger/openapi.json", serveSpec).Methods(http.MethodGet)
	r.HandleFunc("/swagger/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(uiPage))
	}).Methods(http.MethodGet)
}
