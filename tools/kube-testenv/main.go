// Command kube-testenv runs the pieces of a real Kubernetes control plane for
// vp-operator's tests: an embedded etcd, the upstream kube-apiserver and a
// kube-controller-manager. Each subcommand is meant to run as its own process
// because the upstream commands keep process-global state (feature gates,
// logging configuration, component version registry).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

const usage = `usage: kube-testenv <subcommand> [flags]

Every subcommand exits when the process that started it exits.

subcommands:
  etcd                     embedded etcd (--data-dir, --client-port, --peer-port)
  kube-apiserver           the upstream kube-apiserver with its usual flags
  kube-controller-manager  the upstream kube-controller-manager with its usual flags
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	exitWithParent()
	var cmd *cobra.Command
	switch name {
	case "etcd":
		os.Exit(runEtcd(args))
	case "kube-apiserver":
		cmd = apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		cmd = controllermanager.NewControllerManagerCommand()
	case "-h", "--help", "help":
		fmt.Print(usage)
		os.Exit(0)
	default:
		fmt.Fprintf(os.Stderr, "kube-testenv: unknown subcommand %q\n%s", name, usage)
		os.Exit(2)
	}
	cmd.SetArgs(args)
	os.Exit(cli.Run(cmd))
}
