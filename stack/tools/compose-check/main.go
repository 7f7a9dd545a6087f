// compose-check loads compose files with the real compose loader (compose-go, the library
// `docker compose` itself uses), so that a compose file is checked on a machine without a
// Docker engine: interpolation, the compose-spec schema, `extends`, and consistency (every
// depends_on, network and volume refers to something that exists). Prints the resolved
// project as JSON on stdout; on any error prints it on stderr and exits 1.
//
// Usage: compose-check [-f] FILE...   (default: docker-compose.yml in the working directory)
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	var files []string
	for _, arg := range os.Args[1:] {
		if arg != "-f" {
			files = append(files, arg)
		}
	}
	if len(files) == 0 {
		files = []string{"docker-compose.yml"}
	}
	options, err := cli.NewProjectOptions(files, cli.WithOsEnv, cli.WithDotEnv, cli.WithConsistency(true))
	fail(err)
	project, err := options.LoadProject(context.Background())
	fail(err)
	out, err := project.MarshalJSON()
	fail(err)
	fmt.Println(string(out))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose-check:", err)
		os.Exit(1)
	}
}
