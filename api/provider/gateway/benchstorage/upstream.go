package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/flashbacknetwork/flashbackd/api/provider/gateway/internal/s3upstream"
)

const upstreamEnv = "BENCHSTORAGE_UPSTREAM"

// startUpstream runs this program again as the upstream S3 server.
func startUpstream(cfg s3upstream.Config) (*exec.Cmd, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	cfg.Addr = l.Addr().String()
	l.Close()
	raw, _ := json.Marshal(cfg)
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), upstreamEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	ready := make(chan struct{})
	go func() {
		buf := make([]byte, 64)
		if n, _ := stdout.Read(buf); n > 0 {
			close(ready)
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case <-ready:
		return cmd, cfg.Addr, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, "", fmt.Errorf("upstream S3 server not ready")
	}
}

func runUpstream(raw string) int {
	var cfg s3upstream.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := s3upstream.Serve(context.Background(), cfg, func() { fmt.Println("ready") })
	fmt.Fprintln(os.Stderr, "upstream:", err)
	return 1
}
