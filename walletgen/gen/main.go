// Command gen writes walletgen's files, from the repository root:
//
//	go run ./walletgen/gen
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/flashbacknetwork/flashbackd/walletgen"
)

func main() {
	home, err := os.MkdirTemp("", "walletgen-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(home)
	files, err := walletgen.Files(home)
	if err != nil {
		fmt.Fprintln(os.Stderr, "walletgen:", err)
		os.Exit(1)
	}
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			panic(err)
		}
		fmt.Println("wrote", path)
	}
}
