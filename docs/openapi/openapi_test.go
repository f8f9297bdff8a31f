package openapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/stretchr/testify/require"

	"github.com/flashbacknetwork/flashbackd/docs/openapi"
)

func get(t *testing.T, srv *httptest.Server, path string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// TestServedSpecAndUI: one spec with the SDK's routes and flashbackd's, a
// real title and the binary's version, unique operation ids; Swagger UI
// served from the binary with no outside link.
func TestServedSpecAndUI(t *testing.T) {
	r := mux.NewRouter()
	openapi.RegisterRoutes(r)
	srv := httptest.NewServer(r)
	defer srv.Close()

	code, ctype, body := get(t, srv, "/swagger/openapi.json")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "application/json", ctype)
	var spec struct {
		Info  struct{ Title, Version string }
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Tags        []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &spec))
	require.Equal(t, "flashbackd REST API", spec.Info.Title)
	require.Equal(t, "dev", spec.Info.Version, "the binary's version (tests run without -ldflags)")

	for _, p := range []string{
		"/flashback/orchestrator/v1/deals", "/flashback/reputation/v1/leaderboard", "/flashback/oracle/v1/units/{unit_id}/latest",
		"/cosmos/auth/v1beta1/accounts/{address}", "/cosmos/bank/v1beta1/balances/{address}", "/cosmos/staking/v1beta1/validators",
		"/cosmos/distribution/v1beta1/delegators/{delegator_address}/rewards", "/cosmos/gov/v1/proposals", "/cosmos/gov/v1beta1/proposals",
		"/cosmos/tx/v1beta1/txs", "/cosmos/tx/v1beta1/simulate", "/cosmos/base/tendermint/v1beta1/blocks/latest",
		"/cosmos/base/node/v1beta1/config", "/cosmos/mint/v1beta1/inflation", "/cosmos/slashing/v1beta1/params",
		"/cosmos/feegrant/v1beta1/allowances/{grantee}", "/cosmos/authz/v1beta1/grants", "/cosmos/upgrade/v1beta1/current_plan",
		"/cosmos/evidence/v1beta1/evidence", "/cosmos/consensus/v1/params", "/cosmos/epochs/v1beta1/epochs",
	} {
		require.Contains(t, spec.Paths, p)
	}
	ids := map[string]bool{}
	for path, methods := range spec.Paths {
		for _, o := range methods {
			require.False(t, ids[o.OperationID], "operation id %s (%s) is not unique", o.OperationID, path)
			ids[o.OperationID] = true
		}
		// Modules the node does not run have no routes in the spec.
		for _, absent := range []string{"/cosmos/group/", "/cosmos/nft/", "/cosmos/circuit/", "/cosmos/params/", "/cosmos/protocolpool/"} {
			require.False(t, strings.HasPrefix(path, absent), path)
		}
	}
	require.True(t, ids["OrchestratorDeals"] && ids["BankBalance"] && ids["GovV1Proposal"] && ids["GovV1beta1Proposal"])

	code, _, page := get(t, srv, "/swagger/")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, page, "//", "the page loads nothing from elsewhere")
	for _, asset := range openapi.UIAssets {
		require.Contains(t, page+"favicon-16x16.png", asset)
		code, _, content := get(t, srv, "/swagger/"+asset)
		require.Equal(t, http.StatusOK, code, asset)
		require.Greater(t, len(content), 500, asset)
	}
	code, _, _ = get(t, srv, "/swagger/swagger.yaml")
	require.Equal(t, http.StatusNotFound, code, "the SDK's own spec is not served")
}
