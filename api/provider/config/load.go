package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
)

// Load reads and validates the configuration at path. Unknown keys are
// refused, and every problem found is reported at once.
func Load(path string) (Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Config{}, err
	}
	raw, err := os.ReadFile(abs)
	if err != nil {
		return Config{}, fmt.Errorf("reading the provider node's configuration: %w (write one with `flashbackd provider init`)", err)
	}
	cfg, err := Parse(raw, filepath.Dir(abs))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", abs, err)
	}
	return cfg, nil
}

// Parse decodes and validates a configuration whose relative paths are
// relative to home.
func Parse(raw []byte, home string) (Config, error) {
	var cfg Config
	dec := toml.NewDecoder(bytes.NewReader(raw)).DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, describeDecodeError(err, raw)
	}
	cfg.home = home
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// describeDecodeError turns go-toml's errors into one line per problem,
// with the key and the line.
func describeDecodeError(err error, raw []byte) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var lines []string
		for _, e := range strict.Errors {
			row, _ := e.Position()
			lines = append(lines, fmt.Sprintf("line %d: unknown key %q", row, strings.Join(e.Key(), ".")))
		}
		return errors.New(strings.Join(lines, "; "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		// The line itself names the key, which the error does not always.
		lines := strings.Split(string(raw), "\n")
		if row >= 1 && row <= len(lines) {
			return fmt.Errorf("line %d (%s): %s", row, strings.TrimSpace(lines[row-1]), de.Error())
		}
		return fmt.Errorf("line %d: %s", row, de.Error())
	}
	return err
}

// Home is the directory the configuration's relative paths are relative to.
func (c Config) Home() string { return c.home }

// WithHome returns c with relative paths resolved against home.
func (c Config) WithHome(home string) Config {
	c.home = home
	return c
}

// Path resolves a path of the configuration against its home.
func (c Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.home, p)
}

// Write writes cfg to path with a comment on every key (mode 0600: the
// file may hold an s3 unit's secret). It never overwrites a file.
func Write(path string, cfg Config) error {
	body, err := Marshal(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

const header = `# flashbackd provider node: configuration of ` + "`flashbackd provider serve`" + `.
#
# Written by ` + "`flashbackd provider init`" + `; edit it and restart the node. Unknown keys are refused.
# Durations are Go durations ("5s", "72h"); amounts are in uflash (1 FLASH = 10^6 uflash);
# a GB is 10^9 bytes; relative paths are relative to the folder of this file.
# See api/provider/README.md for the node's behaviour.

`

// Marshal encodes cfg as a documented TOML file.
func Marshal(cfg Config) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := toml.NewEncoder(&buf).SetIndentTables(true)
	if err := enc.Encode(cfg); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
