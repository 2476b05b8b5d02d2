// compose-config loads a Compose file the way `docker compose config` does
// (compose-go: the Compose Specification's JSON schema, interpolation,
// normalisation, the consistency checks) and prints the resolved project as
// JSON, for the profiles given. No Docker engine is needed.
//
//	compose-config -f compose/docker-compose.yml [-profile full]... [-env-file F]
//
// Exit 1 with the loader's message when the file is not valid.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	file := flag.String("f", "compose/docker-compose.yml", "the Compose file")
	var profiles, envFiles list
	flag.Var(&profiles, "profile", "a profile to enable (repeatable)")
	flag.Var(&envFiles, "env-file", "an environment file (repeatable)")
	flag.Parse()

	options := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(filepath.Dir(*file)),
		cli.WithOsEnv,
		cli.WithProfiles(profiles),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	}
	if len(envFiles) > 0 {
		options = append(options, cli.WithEnvFiles(envFiles...))
	}
	projectOptions, err := cli.NewProjectOptions([]string{*file}, options...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := projectOptions.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(out, '\n'))
}
