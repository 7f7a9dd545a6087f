// dockerfile-check runs BuildKit's Dockerfile checks (the ones `docker build --check` runs:
// parse errors, undefined build args and variables, unknown stages in COPY --from, casing,
// shell-form CMD, ...) on a Dockerfile for each given SERVICE build arg, without a Docker
// engine. Prints the findings as JSON on stdout; exits 1 if there is any warning or error.
//
// Usage: dockerfile-check DOCKERFILE [NAME=VALUE]...   (build args)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/opencontainers/go-digest"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: dockerfile-check DOCKERFILE [NAME=VALUE]..."))
	}
	dt, err := os.ReadFile(os.Args[1])
	fail(err)
	args := map[string]string{}
	for _, pair := range os.Args[2:] {
		name, value, _ := strings.Cut(pair, "=")
		args[name] = value
	}
	ctx := context.Background()
	// The source map names the file in the findings, as a build's local context would.
	src := llb.Local("dockerfile")
	sourceMap := llb.NewSourceMap(&src, os.Args[1], "Dockerfile", dt)
	sourceMap.Definition, err = src.Marshal(ctx)
	fail(err)
	opt := dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: args},
		SourceMap:    sourceMap,
		MetaResolver: offlineImages{},
	}
	results, err := dockerfile2llb.DockerfileLint(ctx, dt, opt)
	fail(err)
	out, err := json.MarshalIndent(results, "", "  ")
	fail(err)
	fmt.Println(string(out))
	if len(results.Warnings) > 0 || results.Error != nil {
		os.Exit(1)
	}
}

// offlineImages answers every base image lookup with an empty linux/amd64 image instead of
// asking its registry: the checks are about the Dockerfile, and this machine reaches no
// container registry.
type offlineImages struct{}

func (offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	config := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin"]},"rootfs":{"type":"layers"}}`)
	return ref, digest.FromBytes(config), config, nil
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerfile-check:", err)
		os.Exit(1)
	}
}
