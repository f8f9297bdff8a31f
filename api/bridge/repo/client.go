package repo

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/versity/versitygw/backend"
	"github.com/versity/versitygw/backend/s3proxy"
)

// Timeouts of the bridge's connections to provider nodes. Slow answers are
// handled per request (failover_after, write_timeout); these only bound
// what no request deadline covers.
const (
	dialTimeout   = 5 * time.Second
	headerTimeout = 2 * time.Minute
	idlePerHost   = 32
)

// DealBackend is one deal's bucket reached with the AWS SDK v2 through
// versitygw's s3proxy backend, which turns every S3 answer into the
// s3err value versitygw renders: the bridge's router calls it exactly as
// versitygw calls a backend. No retries (the bridge fails over instead).
func DealBackend(ctx context.Context, endpoint, region, accessKeyID, secret string) (backend.Backend, error) {
	return MeasuredDealBackend(ctx, endpoint, region, accessKeyID, secret, nil)
}

// MeasuredDealBackend is DealBackend with every request measured into
// traffic (nil: not measured).
func MeasuredDealBackend(ctx context.Context, endpoint, region, accessKeyID, secret string, traffic *Traffic) (backend.Backend, error) {
	var httpClient HTTPClient = awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) {
			d.Timeout = dialTimeout
			d.KeepAlive = 30 * time.Second
		}).
		WithTransportOptions(func(tr *http.Transport) {
			dial := tr.DialContext
			if dial == nil {
				dial = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
			}
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := dial(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return largeConn{c}, nil
			}
			tr.TLSHandshakeTimeout = dialTimeout
			tr.ResponseHeaderTimeout = headerTimeout
			tr.MaxIdleConns = 4 * idlePerHost
			tr.MaxIdleConnsPerHost = idlePerHost
			tr.IdleConnTimeout = 90 * time.Second
		})
	if traffic != nil {
		httpClient = measuredClient{inner: httpClient, traffic: traffic}
	}
	client := s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		HTTPClient:                 httpClient,
		Credentials:                credentials.NewStaticCredentialsProvider(accessKeyID, secret, ""),
		Retryer:                    aws.NopRetryer{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		APIOptions:                 []func(*middleware.Stack) error{addPayloadHash},
	})
	be, err := s3proxy.NewWithClient(ctx, client, "")
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", endpoint, err)
	}
	return be, nil
}

// addPayloadHash sets UNSIGNED-PAYLOAD for a body that cannot be read
// twice (a stream relayed from a client or another deal) before the SDK
// tries to hash it. Uploads are not signed with their SHA-256 at all
// (s3proxy sends PutObject and UploadPart unsigned): a deal checks a
// spooled body against its Content-MD5, and the bridge checks every
// deal's ETag against the MD5 of what it sent.
func addPayloadHash(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("FlashbackPayloadHash",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if v4.GetPayloadHash(ctx) == "" {
				if req, ok := in.Request.(*smithyhttp.Request); ok && req.GetStream() != nil && !req.IsStreamSeekable() {
					ctx = v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD")
				}
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.Before)
}
