// Package s3upstream runs a plain versitygw S3 server over a local
// directory: the stand-in for a provider's existing S3 bucket in the
// gateway's tests and storage benchmark. It runs in its own process (the
// tests and the benchmark re-execute themselves), because versitygw's posix
// backend takes over the process's working directory and the gateway under
// test has one of its own.
package s3upstream

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/embedgw"
	"github.com/versity/versitygw/s3api"
)

// Config is one upstream server.
type Config struct {
	Dir     string   // root directory; each bucket is a directory in it
	Addr    string   // host:port to listen on
	Access  string   // root access key
	Secret  string   // root secret
	Buckets []string // created if missing
}

// Serve runs the server until ctx ends; ready is called once it listens.
func Serve(ctx context.Context, cfg Config, ready func()) error {
	for _, b := range cfg.Buckets {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, b), 0o750); err != nil {
			return err
		}
	}
	be, err := posix.New(cfg.Dir, meta.XattrMeta{}, posix.PosixOpts{CopyObjectThreshold: 5 << 30})
	if err != nil {
		return fmt.Errorf("posix backend: %w", err)
	}
	return embedgw.RunVersityGW(ctx, be, &embedgw.Config{
		RootUserAccess:    cfg.Access,
		RootUserSecret:    cfg.Secret,
		Ports:             []string{cfg.Addr},
		MaxConnections:    1024,
		MaxRequests:       256,
		MultipartMaxParts: 10000,
		Quiet:             true,
		KeepAlive:         true,
		S3Options:         []s3api.Option{s3api.WithOnListen(ready)},
	})
}
