package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// inRootTag is the build tag of the programs under bench/inroot. They import
// the provider's internal packages, which Go allows only inside the
// provider's module, so the bench module never builds them (the tag keeps
// them out): build compiles each one in the provider's module instead, as a
// package that exists only in a build overlay.
const inRootTag = "albatobench"

// build compiles the provider, the sandbox, the no-op provider, the rusage
// shim, the client lister and the profiling build of the provider into the
// temporary directory.
func (b *bench) build(ctx context.Context) error {
	b.binDir = filepath.Join(b.tmp, "bin")
	b.shimDir = filepath.Join(b.tmp, "shim")
	b.profDir = filepath.Join(b.tmp, "prof")
	for _, d := range []string{b.binDir, b.shimDir, b.profDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	benchDir := filepath.Join(b.repo, "bench")
	builds := []struct{ dir, out, pkg string }{
		// The provider's module: what ships, built as main.go builds it.
		{b.repo, filepath.Join(b.binDir, "terraform-provider-albato"), "."},
		{b.repo, filepath.Join(b.binDir, "albato-sandbox"), "./cmd/albato-sandbox"},
		// The bench module.
		{benchDir, filepath.Join(b.binDir, "terraform-provider-noop"), "./noop-provider"},
		{benchDir, filepath.Join(b.shimDir, "terraform-provider-albato"), "./rusage-shim"},
		{benchDir, filepath.Join(b.shimDir, "terraform-provider-noop"), "./rusage-shim"},
	}
	b.logf("building the provider, the no-op provider, the sandbox, the rusage shim and the lister")
	for _, bd := range builds {
		if err := goBuild(ctx, bd.dir, bd.out, bd.pkg); err != nil {
			return err
		}
	}
	inRoot := []struct{ name, out string }{{"lister", filepath.Join(b.binDir, "lister")}}
	if b.cfg.profile {
		inRoot = append(inRoot, struct{ name, out string }{"profile-provider", filepath.Join(b.profDir, "terraform-provider-albato")})
	}
	for _, ir := range inRoot {
		if err := b.buildInRoot(ctx, ir.name, ir.out); err != nil {
			return err
		}
	}
	// dev_overrides: Terraform runs the shims, the shims run the real
	// binaries; the profiled configuration runs the profiling build.
	cli := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "albato/albato" = %q
    "bench/noop"    = %q
  }
  direct {}
}
`, b.shimDir, b.shimDir)
	if err := os.WriteFile(filepath.Join(b.tmp, "cli.tfrc"), []byte(cli), 0o644); err != nil {
		return err
	}
	prof := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"albato/albato\" = %q\n  }\n  direct {}\n}\n", b.profDir)
	return os.WriteFile(filepath.Join(b.tmp, "cli-prof.tfrc"), []byte(prof), 0o644)
}

// buildInRoot compiles bench/inroot/<name> in the provider's module: an
// overlay places its main.go at internal/benchbuild/<name>/main.go, a
// directory that does not exist on disk, so the program may import the
// provider's internal packages while its source stays in the bench module.
func (b *bench) buildInRoot(ctx context.Context, name, out string) error {
	src := filepath.Join(b.repo, "bench", "inroot", name, "main.go")
	virtual := filepath.Join(b.repo, "internal", "benchbuild", name, "main.go")
	if _, err := os.Stat(filepath.Dir(virtual)); err == nil {
		return fmt.Errorf("%s exists: the overlay that builds bench/inroot/%s needs that path free", filepath.Dir(virtual), name)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {virtual: src}})
	if err != nil {
		return err
	}
	overlayFile := filepath.Join(b.tmp, "overlay-"+name+".json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return err
	}
	return goBuild(ctx, b.repo, out, "./internal/benchbuild/"+name, "-tags", inRootTag, "-overlay", overlayFile)
}

// goBuild runs go build in dir.
func goBuild(ctx context.Context, dir, out, pkg string, flags ...string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %v (in %s): %w\n%s", args, dir, err, output)
	}
	return nil
}
