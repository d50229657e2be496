package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestNarrow(t *testing.T) {
	t.Parallel()
	in := []byte(`# a comment that stays
version: 2
dist: out
builds:
  - goos: [linux, darwin]
    goarch: [amd64, arm64]
    ignore:
      - goos: darwin
        goarch: "386"
    binary: "{{ .ProjectName }}_v{{ .Version }}"
signs:
  - artifacts: checksum
`)
	out, err := narrow(in, "linux_arm64", "/tmp/d")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Dist   string `yaml:"dist"`
		Builds []map[string]any
		Signs  []map[string]any
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Dist != "/tmp/d" || len(got.Builds) != 1 || len(got.Signs) != 1 {
		t.Fatalf("narrowed configuration: %s", out)
	}
	b := got.Builds[0]
	for _, k := range []string{"goos", "goarch", "ignore"} {
		if _, ok := b[k]; ok {
			t.Errorf("%s kept: %s", k, out)
		}
	}
	if ts, ok := b["targets"].([]any); !ok || len(ts) != 1 || ts[0] != "linux_arm64" {
		t.Errorf("targets = %v, want [linux_arm64]", b["targets"])
	}
	if b["binary"] != "{{ .ProjectName }}_v{{ .Version }}" || !strings.Contains(string(out), "# a comment that stays") {
		t.Errorf("the rest changed: %s", out)
	}
	if _, err := narrow(in, "linux", "/tmp/d"); err == nil {
		t.Error("a target without _ was accepted")
	}
	if _, err := narrow([]byte("version: 2\n"), "linux_amd64", "/tmp/d"); err == nil {
		t.Error("a configuration without builds was accepted")
	}
}

func TestLayout(t *testing.T) {
	t.Parallel()
	const bin = "terraform-provider-albato_v1.0.0"
	for _, tc := range []struct {
		name  string
		files map[string]os.FileMode
		ok    bool
	}{
		{"at the root", map[string]os.FileMode{bin: 0o755, "README.md": 0o644}, true},
		{"in a folder", map[string]os.FileMode{"bin/" + bin: 0o755}, false},
		{"missing", map[string]os.FileMode{"README.md": 0o644}, false},
		{"not executable", map[string]os.FileMode{bin: 0o644}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "p.zip")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			w := zip.NewWriter(f)
			for name, mode := range tc.files {
				h := &zip.FileHeader{Name: name, Method: zip.Deflate}
				h.SetMode(mode)
				fw, err := w.CreateHeader(h)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := fw.Write([]byte("x")); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if err := layout(path, bin); (err == nil) != tc.ok {
				t.Errorf("layout = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestManifest(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		`{"version": 1, "metadata": {"protocol_versions": ["6.0"]}}`:        true,
		`{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}`:        false,
		`{"version": 1, "metadata": {"protocol_versions": ["5.0", "6.0"]}}`: false,
		`{"version": 2, "metadata": {"protocol_versions": ["6.0"]}}`:        false,
		`{`: false,
	} {
		if err := manifest([]byte(in)); (err == nil) != ok {
			t.Errorf("manifest(%s) = %v, want ok %v", in, err, ok)
		}
	}
}
