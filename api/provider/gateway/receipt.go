package gateway

import (
	"crypto/md5" //nolint:gosec // an S3 ETag, not a security measure
	"encoding/hex"
	"io"
	"net/http"

	"github.com/versity/versitygw/s3err"
	"github.com/versity/versitygw/s3response"

	"github.com/flashbacknetwork/flashbackd/api/receipts"
)

// takeReceipt hands an upload to layout.ReceiptKey to the node instead of
// storing it: the consumer's bridge sends its signed usage receipts this
// way, with any S3 client and the deal's own credentials.
func (r *router) takeReceipt(st *dealState, body io.Reader, n int64) (s3response.PutObjectOutput, error) {
	if r.onReceipt == nil {
		return s3response.PutObjectOutput{}, refuseUpload(body, n, receiptError("this provider node does not bill egress: it takes no usage receipts"))
	}
	if body == nil || n <= 0 || n > receipts.MaxSize {
		return s3response.PutObjectOutput{}, refuseUpload(body, n, receiptError("a usage receipt is 1 to 1024 bytes of JSON (api/receipts)"))
	}
	bz, err := io.ReadAll(io.LimitReader(body, receipts.MaxSize))
	if err != nil {
		return s3response.PutObjectOutput{}, receiptError("reading the usage receipt: " + err.Error())
	}
	if err := r.onReceipt(st.id, bz); err != nil {
		return s3response.PutObjectOutput{}, receiptError(err.Error())
	}
	sum := md5.Sum(bz) //nolint:gosec
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	return s3response.PutObjectOutput{ETag: etag}, nil
}

func receiptError(msg string) s3err.APIError {
	return s3err.APIError{Code: "InvalidArgument", Description: msg, HTTPStatusCode: http.StatusBadRequest}
}
