package gateway

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"
)

// signed builds a request signed with SigV4 for the deal, as an SDK would,
// with whatever body and query the test wants.
func signed(t *testing.T, e *testEnv, d Deal, method, path, body string, header map[string]string, at time.Time, region string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, e.endpoint()+path, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	h := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(h[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: d.AccessKeyID, SecretAccessKey: d.Secret}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", region, at))
	return req
}

// TestMalformedRequests: requests no well-behaved client sends get a 4xx S3
// error (or 501 for what is not implemented), never a 5xx or a dropped
// connection, and the gateway keeps serving.
func TestMalformedRequests(t *testing.T) {
	e := newEnv(t)
	d := e.deal(1, 1, 1<<30)
	b := bucketOf(d)
	put(t, e.dealClient(d), b, "obj", []byte("0123456789"))
	now := time.Now()
	tagging := "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"

	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"garbage authorization", raw(t, http.MethodGet, e.endpoint()+"/"+b+"/obj", map[string]string{"Authorization": "AWS4-HMAC-SHA256 garbage", "X-Amz-Date": now.UTC().Format("20060102T150405Z")}), 400, ""},
		{"signature v2", raw(t, http.MethodGet, e.endpoint()+"/"+b+"/obj", map[string]string{"Authorization": "AWS " + d.AccessKeyID + ":c2lnbmF0dXJl", "Date": now.UTC().Format(http.TimeFormat)}), 0, ""},
		{"complete with bad xml", signed(t, e, d, http.MethodPost, "/"+b+"/obj?uploadId=nope", "<CompleteMultipartUpload><Part>", nil, now, DefaultRegion), 400, "MalformedXML"},
		{"delete objects with bad xml", signed(t, e, d, http.MethodPost, "/"+b+"?delete", "not xml at all", map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, now, DefaultRegion), 400, ""},
		{"part number zero", signed(t, e, d, http.MethodPut, "/"+b+"/obj?partNumber=0&uploadId=x", "data", nil, now, DefaultRegion), 400, "InvalidArgument"},
		{"bad range", signed(t, e, d, http.MethodGet, "/"+b+"/obj", "", map[string]string{"Range": "bytes=abc"}, now, DefaultRegion), 0, ""},
		{"clock skew", signed(t, e, d, http.MethodGet, "/"+b+"/obj", "", nil, now.Add(-2*time.Hour), DefaultRegion), 403, "RequestTimeTooSkewed"},
		{"wrong region", signed(t, e, d, http.MethodGet, "/"+b+"/obj", "", nil, now, "eu-central-9"), 400, "AuthorizationHeaderMalformed"},
		{"invalid bucket name", signed(t, e, d, http.MethodGet, "/Not_A_Bucket/obj", "", nil, now, DefaultRegion), 400, "InvalidBucketName"},
		{"not implemented", signed(t, e, d, http.MethodPut, "/"+b+"?tagging", tagging, map[string]string{"Content-MD5": contentMD5(tagging)}, now, DefaultRegion), 501, "NotImplemented"},
		{"create bucket", signed(t, e, d, http.MethodPut, "/deal-77", "", nil, now, DefaultRegion), 403, "AccessDenied"},
		{"create own bucket", signed(t, e, d, http.MethodPut, "/"+b, "", nil, now, DefaultRegion), 409, "BucketAlreadyOwnedByYou"},
		{"delete own bucket", signed(t, e, d, http.MethodDelete, "/"+b, "", nil, now, DefaultRegion), 403, "AccessDenied"},
		{"huge header", raw(t, http.MethodGet, e.endpoint()+"/"+b+"/obj", map[string]string{"X-Padding": strings.Repeat("p", 16<<10)}), 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := testHTTPClient.Do(tc.req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if tc.status != 0 {
				require.Equal(t, tc.status, resp.StatusCode, string(body))
			}
			if tc.status != http.StatusNotImplemented {
				require.Less(t, resp.StatusCode, 500, string(body))
			}
			if resp.StatusCode >= 300 && resp.Request.Method != http.MethodHead && len(body) > 0 {
				require.Contains(t, string(body), "<Code>", string(body))
			}
			if tc.code != "" {
				require.Contains(t, string(body), "<Code>"+tc.code+"</Code>")
			}
		})
	}

	// A request line that is not HTTP at all.
	conn, err := net.Dial("tcp", e.g.Addr())
	require.NoError(t, err)
	_, err = fmt.Fprintf(conn, "THIS IS NOT HTTP\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	status, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, status, " 400 ")
	conn.Close()

	require.Equal(t, []byte("0123456789"), get(t, e.dealClient(d), b, "obj"), "the gateway still serves")
}

func raw(t *testing.T, method, url string, header map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

func contentMD5(body string) string {
	h := md5.Sum([]byte(body))
	return base64.StdEncoding.EncodeToString(h[:])
}
