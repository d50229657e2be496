// Command releasecheck holds the checks of `make release-verify` that a
// shell is poor at (scripts/release-verify.sh calls it):
//
//	releasecheck narrow TARGET DIST < .goreleaser.yml
//	    prints the GoReleaser configuration with every build narrowed to the
//	    one target TARGET (e.g. linux_amd64) and dist set to DIST; nothing
//	    else changes, so the archives, checksums and signing are those of
//	    .goreleaser.yml itself.
//	releasecheck h1 ZIP
//	    prints the h1: hash Terraform and OpenTofu record in
//	    .terraform.lock.hcl for a provider package: the dirhash (Hash1) of
//	    the zip's contents.
//	releasecheck layout ZIP BINARY
//	    fails unless the zip holds the executable BINARY at its root and
//	    nothing in a folder, the layout the registries expect.
//	releasecheck manifest FILE
//	    fails unless FILE is a registry manifest of version 1 declaring
//	    protocol 6.0 only.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/sumdb/dirhash"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "releasecheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: releasecheck narrow TARGET DIST | h1 ZIP | layout ZIP BINARY | manifest FILE")
	}
	switch cmd, args := args[0], args[1:]; {
	case cmd == "narrow" && len(args) == 2:
		in, err := io.ReadAll(stdin)
		if err != nil {
			return err
		}
		out, err := narrow(in, args[0], args[1])
		if err != nil {
			return err
		}
		_, err = stdout.Write(out)
		return err
	case cmd == "h1" && len(args) == 1:
		h, err := dirhash.HashZip(args[0], dirhash.Hash1)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, h)
		return err
	case cmd == "layout" && len(args) == 2:
		return layout(args[0], args[1])
	case cmd == "manifest" && len(args) == 1:
		b, err := os.ReadFile(args[0]) //nolint:gosec // the manifest the caller names
		if err != nil {
			return err
		}
		return manifest(b)
	}
	return fmt.Errorf("unknown command or wrong arguments: %q", args)
}

// narrow sets targets to the one target in every build of a GoReleaser
// configuration, drops the goos, goarch and ignore lists it replaces, and
// sets dist.
func narrow(config []byte, target, dist string) ([]byte, error) {
	if !strings.Contains(target, "_") {
		return nil, fmt.Errorf("target %q is not GOOS_GOARCH", target)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(config, &doc); err != nil {
		return nil, fmt.Errorf("parse the configuration: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the configuration is not a YAML mapping")
	}
	root := doc.Content[0]
	builds := value(root, "builds")
	if builds == nil || builds.Kind != yaml.SequenceNode || len(builds.Content) == 0 {
		return nil, errors.New("the configuration has no builds list")
	}
	for _, b := range builds.Content {
		if b.Kind != yaml.MappingNode {
			return nil, errors.New("a build is not a mapping")
		}
		for _, k := range []string{"goos", "goarch", "ignore", "targets"} {
			remove(b, k)
		}
		set(b, "targets", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: target},
		}})
	}
	remove(root, "dist")
	set(root, "dist", &yaml.Node{Kind: yaml.ScalarNode, Value: dist})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}

func set(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
}

// layout checks that the zip holds binary, executable, at its root, and no
// folder: Terraform and OpenTofu run the provider from the zip's root.
func layout(path, binary string) error {
	r, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer r.Close()
	var names []string
	found := false
	for _, f := range r.File {
		names = append(names, f.Name)
		if strings.Contains(strings.TrimSuffix(f.Name, "/"), "/") || f.FileInfo().IsDir() {
			return fmt.Errorf("%s: %q is a folder or in one; the registries expect every file at the zip's root", path, f.Name)
		}
		if f.Name == binary {
			if f.Mode()&0o111 == 0 {
				return fmt.Errorf("%s: %s is not executable (mode %v)", path, binary, f.Mode())
			}
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%s: no %s at the zip's root (entries: %q)", path, binary, names)
	}
	return nil
}

// manifest checks a terraform-registry-manifest.json.
func manifest(b []byte) error {
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("parse the manifest: %w", err)
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		return fmt.Errorf("the manifest says version %d, protocol_versions %q; want version 1, protocol_versions [\"6.0\"]", m.Version, m.Metadata.ProtocolVersions)
	}
	return nil
}
