package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse: a provider.toml never panics the parser; a file it accepts is
// written back by Marshal (what provider init writes) and read again to
// the same configuration.
func FuzzParse(f *testing.F) {
	c := Default("/keys")
	for _, spec := range []string{"1=posix", "2=posix:big-disk", "3=s3:https://s3.example.com/acme-bucket"} {
		u, err := ParseUnitSpec(spec)
		require.NoError(f, err)
		c.Units = append(c.Units, u)
	}
	good, err := Marshal(c)
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte("[chain]\ngas_adjustment = 1.5\n"))
	f.Add([]byte("[[units]]\nid = 1\n[units.posix]\ndir = \"..\"\n"))
	f.Add([]byte("x = \xff\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := Parse(raw, "/home")
		if err != nil {
			return
		}
		again, err := Marshal(cfg)
		require.NoError(t, err)
		back, err := Parse(again, "/home")
		require.NoError(t, err, "the accepted configuration, written back:\n%s", again)
		require.Equal(t, cfg, back, "written back:\n%s", again)
	})
}
