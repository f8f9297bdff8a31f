package gateway

import (
	"errors"
	"net"
	"net/http"
	"syscall"

	"github.com/versity/versitygw/s3err"
)

// errStorageUnavailable is the answer when a unit's storage cannot be
// reached (an upstream S3 service that is down or times out): 503, which S3
// clients retry.
var errStorageUnavailable = s3err.APIError{
	Code:           "ServiceUnavailable",
	Description:    "The provider's storage is unavailable. Please retry.",
	HTTPStatusCode: http.StatusServiceUnavailable,
}

var errInternal = s3err.GetAPIError(s3err.ErrInternalError)

// providerSideCodes are storage answers about the provider's own setup (its
// upstream bucket or credentials), never about the client's request: the
// client gets InternalError and the node logs the cause.
var providerSideCodes = map[string]bool{
	"NoSuchBucket":                 true,
	"AccessDenied":                 true,
	"AllAccessDisabled":            true,
	"InvalidAccessKeyId":           true,
	"SignatureDoesNotMatch":        true,
	"InvalidToken":                 true,
	"ExpiredToken":                 true,
	"AuthorizationHeaderMalformed": true,
	"PermanentRedirect":            true,
	"InvalidBucketName":            true,
}

// storageError turns what a unit's storage returned into the S3 error the
// client gets. versitygw renders only errors that are s3err.S3Error values
// themselves (not wrapped), so this never returns a wrapped error; internal
// tells the caller to log the original.
func storageError(u *unit, err error) (out s3err.S3Error, internal bool) {
	if err == nil {
		return nil, false
	}
	var se s3err.S3Error
	if errors.As(err, &se) {
		base := se.BaseError()
		switch {
		case providerSideCodes[base.Code]:
			return errInternal, true
		case base.HTTPStatusCode == 0:
			// An S3 error code without an HTTP answer: the upstream
			// connection failed.
			return errStorageUnavailable, true
		}
		return se, false
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return s3err.GetAPIError(s3err.ErrNoSpaceLeftOnDevice), true
	case errors.Is(err, syscall.EDQUOT):
		return s3err.GetAPIError(s3err.ErrQuotaExceeded), true
	}
	var ne net.Error
	if u.kind == storageS3 || errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) {
		// Anything but an S3 answer from an upstream service means it could
		// not be reached or did not answer in time.
		return errStorageUnavailable, true
	}
	return errInternal, true
}

// s3Code returns the S3 error code of err, if it is an S3 error.
func s3Code(err error) (string, bool) {
	var se s3err.S3Error
	if errors.As(err, &se) {
		return se.BaseError().Code, true
	}
	return "", false
}
