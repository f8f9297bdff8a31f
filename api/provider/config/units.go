package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway"
)

// ParseUnitSpec reads a unit as `provider init --unit` takes it:
//
//	ID=posix            directory unit-ID under server.data_dir
//	ID=posix:DIR        directory DIR under server.data_dir
//	ID=s3:URL           bucket of an S3 service, path-style URL
//	                    https://host[:port]/bucket (credentials go in the file)
func ParseUnitSpec(spec string) (Unit, error) {
	idText, backend, ok := strings.Cut(spec, "=")
	id, err := strconv.ParseUint(idText, 10, 64)
	if !ok || err != nil || id == 0 {
		return Unit{}, fmt.Errorf("unit %q: want ID=posix[:DIR] or ID=s3:https://host/bucket, with ID the unit's id on chain", spec)
	}
	kind, arg, _ := strings.Cut(backend, ":")
	switch kind {
	case "posix":
		if arg == "" {
			arg = "unit-" + idText
		}
		return Unit{ID: id, Posix: &UnitPosix{Dir: arg}}, nil
	case "s3":
		u, err := url.Parse(arg)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Unit{}, fmt.Errorf("unit %q: the s3 URL must be http(s)://host[:port]/bucket", spec)
		}
		bucket := strings.Trim(u.Path, "/")
		if bucket == "" || strings.Contains(bucket, "/") {
			return Unit{}, fmt.Errorf("unit %q: the s3 URL must name one bucket: http(s)://host[:port]/bucket", spec)
		}
		endpoint := u.Scheme + "://" + u.Host
		return Unit{ID: id, S3: &UnitS3{Endpoint: endpoint, Region: DefaultS3Region, Bucket: bucket, PathStyle: true}}, nil
	default:
		return Unit{}, fmt.Errorf("unit %q: unknown storage %q (posix or s3)", spec, kind)
	}
}

// Gateway is the S3 gateway's configuration for this node.
func (c Config) Gateway() gateway.Config {
	gc := gateway.Config{
		Listen:    c.Server.Listen,
		PosixRoot: c.Path(c.Server.DataDir),
		Probe: gateway.ProbeConfig{
			ObjectSizes:          append([]int64(nil), c.Probe.ObjectSizes...),
			UploadMaxBytes:       c.Probe.UploadMaxBytes,
			UploadExpiry:         c.Probe.UploadExpiry.Duration,
			UploadMaxOutstanding: c.Probe.UploadMaxOutstanding,
		},
	}
	for _, u := range c.Units {
		uc := gateway.UnitConfig{ID: u.ID}
		if u.Posix != nil {
			uc.Posix = &gateway.PosixStorage{Dir: u.Posix.Dir}
		}
		if u.S3 != nil {
			uc.S3 = &gateway.S3Storage{
				Endpoint: u.S3.Endpoint, Region: u.S3.Region, Bucket: u.S3.Bucket,
				AccessKey: u.S3.AccessKey, SecretKey: u.S3.SecretKey, PathStyle: u.S3.PathStyle,
			}
		}
		gc.Units = append(gc.Units, uc)
	}
	return gc
}

// Unit returns the configured unit id, if any.
func (c Config) Unit(id uint64) (Unit, bool) {
	for _, u := range c.Units {
		if u.ID == id {
			return u, true
		}
	}
	return Unit{}, false
}
