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
		return Config{}, fmt.Errorf("reading the bridge's configuration: %w (write one with `flashbackd bridge init`)", err)
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
// file holds the secrets of the bridge's keys). It never overwrites a file.
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

const header = `# flashbackd consumer bridge: configuration of ` + "`flashbackd bridge serve`" + `.
#
# Written by ` + "`flashbackd bridge init`" + ` (and rewritten by ` + "`flashbackd bridge keys add|remove`" + `, which keeps
# the values and these comments but not comments of your own); edit it and restart the bridge.
# Unknown keys are refused. Durations are Go durations ("5s", "10m"); relative paths are
# relative to the folder of this file. See api/bridge/README.md for the bridge's behaviour.

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

// Rewrite replaces the file at path with cfg (validated first), atomically:
// a temporary file in the same folder renamed over it, mode 0600.
func Rewrite(path string, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	body, err := Marshal(cfg)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".bridge-*.toml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
